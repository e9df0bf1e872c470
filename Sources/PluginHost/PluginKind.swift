// PluginHost — plugin.h's ldmp_plugin_kind for Swift callers.
import PluginABI

public enum PluginKind: String, CaseIterable, Codable, Sendable {
    case sampler, probe, classifier, labeler
    /// Since ABI 1.2 (wordmap.h): per-word maps from cross-attention probabilities.
    case wordmap

    init?(_ kind: UInt32) {
        switch ldmp_plugin_kind(kind) {
        case LDMP_KIND_SAMPLER: self = .sampler
        case LDMP_KIND_PROBE: self = .probe
        case LDMP_KIND_CLASSIFIER: self = .classifier
        case LDMP_KIND_LABELER: self = .labeler
        case LDMP_KIND_WORDMAP: self = .wordmap
        default: return nil
        }
    }
}
