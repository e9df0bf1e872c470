// SamplerSupport — reading the parameters the sampler plugins share, validated in the plugin as well as by the
// host (so a plugin driven straight through the C ABI rejects a bad value too).
//
// timestep_spacing and prediction_type override the scheduler config only when the user set them (is_set);
// otherwise the config's value, or the scheduler's own diffusers default, stays.
import PluginKit

public enum SamplerParams {
    public static let spacings = ["leading", "trailing", "linspace"]

    /// `timestep_spacing`: "default: the config's timestep_spacing, else <fallback>".
    public static func spacingSpec(fallback: String) -> ParamSpec {
        .choice("timestep_spacing", spacings, default: fallback,
                help: "timestep spacing; when not given, the scheduler config's value, else \(fallback)")
    }

    /// `prediction_type` restricted to what the diffusers class accepts.
    public static func predictionSpec(_ choices: [String]) -> ParamSpec {
        .choice("prediction_type", choices, default: "epsilon",
                help: "what the model predicts; when not given, the scheduler config's value, else epsilon")
    }

    /// Applies a set choice parameter over `value`, checking it is one of `choices`.
    public static func overrideChoice(_ p: ParamValues, _ name: String, _ choices: [String], sampler: String,
                                      into value: inout String) throws {
        guard p.values[name] != nil, p.isSet(name) else { return }
        let v = try p.string(name)
        guard choices.contains(v) else {
            throw SamplerError.invalidValue(sampler: sampler, key: name,
                message: "'\(v)' is not one of \(choices.joined(separator: "|"))")
        }
        value = v
    }

    /// Checks a config string against the values the diffusers class accepts.
    public static func checkChoice(_ value: String, _ key: String, _ choices: [String], sampler: String) throws {
        guard choices.contains(value) else {
            throw SamplerError.invalidValue(sampler: sampler, key: key,
                message: "'\(value)' is not supported (valid: \(choices.joined(separator: ", ")))")
        }
    }
}
