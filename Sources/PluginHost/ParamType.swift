// PluginHost — params.h's ldmp_param_type for Swift callers.
import PluginABI

public enum ParamType: String, Codable, Sendable {
    case bool, int, float, string, path, choice

    init?(_ t: UInt32) {
        switch ldmp_param_type(t) {
        case LDMP_PARAM_BOOL: self = .bool
        case LDMP_PARAM_INT: self = .int
        case LDMP_PARAM_FLOAT: self = .float
        case LDMP_PARAM_STRING: self = .string
        case LDMP_PARAM_PATH: self = .path
        case LDMP_PARAM_CHOICE: self = .choice
        default: return nil
        }
    }

    var cValue: ldmp_param_type {
        switch self {
        case .bool: return LDMP_PARAM_BOOL
        case .int: return LDMP_PARAM_INT
        case .float: return LDMP_PARAM_FLOAT
        case .string: return LDMP_PARAM_STRING
        case .path: return LDMP_PARAM_PATH
        case .choice: return LDMP_PARAM_CHOICE
        }
    }
}
