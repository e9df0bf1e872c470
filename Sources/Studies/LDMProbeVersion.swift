// ldmprobe's own version: recorded in every run manifest and study.json, and handed to plugins.
import PluginABI

public enum LDMProbeVersion {
    public static let string = "0.1.0"
    /// The plugin C ABI this build speaks, "major.minor".
    public static let pluginABI = "\(LDMP_ABI_VERSION_MAJOR).\(LDMP_ABI_VERSION_MINOR)"
}
