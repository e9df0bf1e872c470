// PluginHost — label.h's ldmp_label_kind for Swift callers.
import PluginABI

public enum LabelKind: String, Codable, Sendable {
    case binary, continuous

    init(_ k: UInt32) { self = k == LDMP_LABEL_CONTINUOUS.rawValue ? .continuous : .binary }
    var cValue: UInt32 { (self == .binary ? LDMP_LABEL_BINARY : LDMP_LABEL_CONTINUOUS).rawValue }
}
