// PluginHost — action.h's ldmp_arg_type for Swift callers.
import PluginABI

public enum ArgType: String, Codable, Sendable {
    case string, path, int, float, bool

    init?(_ t: UInt32) {
        switch ldmp_arg_type(t) {
        case LDMP_ARG_STRING: self = .string
        case LDMP_ARG_PATH: self = .path
        case LDMP_ARG_INT: self = .int
        case LDMP_ARG_FLOAT: self = .float
        case LDMP_ARG_BOOL: self = .bool
        default: return nil
        }
    }
}
