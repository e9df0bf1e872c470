// PluginHost — the one error enum of plugin loading, parameters, instances and actions.
import PluginABI

public enum PluginError: Error, CustomStringConvertible {
    /// A library could not be used (not a shared object, no entry, wrong ABI, malformed descriptor, init failed).
    case libraryFailed(path: String, reason: String)
    /// No plugin of that kind and name; `available` lists the loaded ones.
    case notFound(kind: String, name: String, available: [String], failures: Int)
    /// A `name[:k=v,…]` spec that does not parse.
    case badSpec(spec: String, reason: String)
    /// A parameter value that does not fit the declaration; `valid` lists the declared parameters.
    case invalidParameter(plugin: String, reason: String, valid: String)
    /// A plugin function returned an error status; `message` is what it reported through report_error.
    case callFailed(plugin: String, function: String, status: Int32, message: String)
    /// The host's own check of a call's inputs (shapes, indices) failed before calling the plugin.
    case invalidInput(plugin: String, function: String, reason: String)
    /// `ldmprobe action`: unknown action, or arguments that do not fit its declaration.
    case actionUsage(plugin: String, action: String, reason: String, usage: String)
    /// libffi could not prepare the call.
    case ffiFailed(plugin: String, action: String, status: Int)

    public var description: String {
        switch self {
        case .libraryFailed(let path, let reason):
            return "plugin library \(path): \(reason)"
        case .notFound(let kind, let name, let available, let failures):
            let list = available.isEmpty ? "none loaded" : "available: " + available.joined(separator: ", ")
            let hint = failures > 0 ? " (\(failures) librar\(failures == 1 ? "y" : "ies") failed to load: "
                + "see `ldmprobe plugins`)" : " (hint: --plugin-path DIR or LDMPROBE_PLUGIN_PATH)"
            return "no \(kind) plugin named '\(name)'; \(list)\(hint)"
        case .badSpec(let spec, let reason):
            return "bad plugin spec '\(spec)': \(reason) (expected name[:key=value,…])"
        case .invalidParameter(let plugin, let reason, let valid):
            return "\(plugin): \(reason); parameters: \(valid.isEmpty ? "none" : valid)"
        case .callFailed(let plugin, let function, let status, let message):
            let m = message.isEmpty ? "no message reported" : message
            return "\(plugin).\(function) failed (\(statusName(status))): \(m)"
        case .invalidInput(let plugin, let function, let reason):
            return "\(plugin).\(function): \(reason)"
        case .actionUsage(let plugin, let action, let reason, let usage):
            return "action \(plugin) \(action): \(reason); usage: \(usage)"
        case .ffiFailed(let plugin, let action, let status):
            return "action \(plugin) \(action): ffi_prep_cif failed with status \(status)"
        }
    }
}

/// "LDMP_ERR_IO (2)".
public func statusName(_ status: Int32) -> String {
    let name: String
    switch UInt32(bitPattern: status) {
    case LDMP_OK.rawValue: name = "LDMP_OK"
    case LDMP_ERR_INVALID_ARGUMENT.rawValue: name = "LDMP_ERR_INVALID_ARGUMENT"
    case LDMP_ERR_IO.rawValue: name = "LDMP_ERR_IO"
    case LDMP_ERR_NOT_FOUND.rawValue: name = "LDMP_ERR_NOT_FOUND"
    case LDMP_ERR_UNSUPPORTED.rawValue: name = "LDMP_ERR_UNSUPPORTED"
    case LDMP_ERR_INTERNAL.rawValue: name = "LDMP_ERR_INTERNAL"
    default: name = "unknown status"
    }
    return "\(name) (\(status))"
}
