// PluginHost — label.h's ldmp_label_kind for Swift callers.
import PluginABI

public enum LabelKind: String, Codable, Sendable {
    case binary, continuous

    init(_ k: ldmp_label_kind) { self = k == LDMP_LABEL_CONTINUOUS ? .continuous : .binary }
    var cValue: ldmp_label_kind { self == .binary ? LDMP_LABEL_BINARY : LDMP_LABEL_CONTINUOUS }
}
