// PluginKit — the error a Swift plugin throws; PluginCall turns it into an ldmp_status plus report_error.
//
//     throw PluginKitError.invalidArgument("ddim: eta must be ≥ 0, got -1 (hint: eta=0 is deterministic DDIM)")
//
// Any other Error thrown inside PluginCall.run becomes LDMP_ERR_INTERNAL with its description as the message.
import PluginABI

public enum PluginKitError: Error, CustomStringConvertible {
    case invalidArgument(String)
    case io(String)
    case notFound(String)
    case unsupported(String)
    case internalError(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m), .io(let m), .notFound(let m), .unsupported(let m), .internalError(let m):
            return m
        }
    }

    /// The ldmp_status this error returns across the ABI.
    public var status: ldmp_status {
        switch self {
        case .invalidArgument: return LDMP_ERR_INVALID_ARGUMENT
        case .io: return LDMP_ERR_IO
        case .notFound: return LDMP_ERR_NOT_FOUND
        case .unsupported: return LDMP_ERR_UNSUPPORTED
        case .internalError: return LDMP_ERR_INTERNAL
        }
    }
}

extension ldmp_status {
    /// The value a vtable function returns (vtables return int32_t).
    public var code: Int32 { Int32(bitPattern: rawValue) }
}
