// `--plugin-path DIR` (repeatable), shared by every command that loads plugins (generate, probe, classify, …):
//
//     @OptionGroup var plugins: PluginOptions
//     let registry = try plugins.registry()
import ArgumentParser
import Studies
import PluginHost

struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-path"),
            help: ArgumentHelp("A folder of plugin libraries (lib*.so), or one library; repeatable. Also searched: "
                               + "LDMPROBE_PLUGIN_PATH (colon-separated) and the folder of this executable.",
                               valueName: "dir"))
    var pluginPaths: [String] = []

    /// Every plugin found; libraries that failed are listed by `ldmprobe plugins`.
    func registry() throws -> PluginRegistry {
        HostServices.hostVersion = LDMProbeVersion.string
        return try PluginRegistry.discover(extraPaths: pluginPaths)
    }
}
