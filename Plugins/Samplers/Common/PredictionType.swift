// SamplerSupport — what the model predicts (diffusers' prediction_type), parsed once so step loops switch on
// an enum rather than a string.
public enum PredictionType: String {
    case epsilon
    case sample
    case vPrediction = "v_prediction"

    /// Parses `value`, accepting only `allowed` (the diffusers class's own list).
    public init(_ value: String, allowed: [PredictionType], sampler: String) throws {
        guard let p = PredictionType(rawValue: value), allowed.contains(p) else {
            throw SamplerError.invalidValue(sampler: sampler, key: "prediction_type",
                message: "'\(value)' is not supported (valid: \(allowed.map(\.rawValue).joined(separator: ", ")))")
        }
        self = p
    }
}
