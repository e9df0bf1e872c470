// SamplerSupport — the one error type of the sampler plugins (config, parameters, call order, tensors).
//
// Every message names the sampler and the key, parameter or call at fault and ends with a hint. The bridge
// (SamplerBridge) maps each case to an ldmp_status and reports the message through the host.
import PluginKit

public enum SamplerError: Error, CustomStringConvertible {
    /// A scheduler_config.json that is not valid JSON or has a key of the wrong type.
    case badConfig(sampler: String, message: String)
    /// A parameter or config value outside what the sampler supports.
    case invalidValue(sampler: String, key: String, message: String)
    /// A diffusers option this port does not implement (use_karras_sigmas, thresholding, …).
    case unsupported(sampler: String, key: String, message: String)
    /// step/timestep/scale called out of order or with a call index past call_count.
    case callOrder(sampler: String, message: String)

    public var description: String {
        switch self {
        case let .badConfig(s, m):
            return "\(s): scheduler_config.json: \(m) (hint: pass the text of a diffusers scheduler_config.json)"
        case let .invalidValue(s, k, m):
            return "\(s): \(k): \(m)"
        case let .unsupported(s, k, m):
            return "\(s): \(k): \(m) (hint: this port supports only what its doc comment lists)"
        case let .callOrder(s, m):
            return "\(s): \(m) (hint: set_timesteps, then for each call: timestep, scale_model_input, step)"
        }
    }

    /// The PluginKit error carrying the ABI status for this case.
    public var pluginError: PluginKitError {
        switch self {
        case .badConfig, .invalidValue, .callOrder: return .invalidArgument(description)
        case .unsupported: return .unsupported(description)
        }
    }
}
