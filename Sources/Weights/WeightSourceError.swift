// WeightSourceError: the Weights module's one error enum — bad files (named with the tensor or entry at fault) and
// key/shape mismatches found by loaders. Every message is one line and ends with a hint.

/// What can go wrong reading weights or matching them to a model.
public enum WeightSourceError: Error, CustomStringConvertible, Equatable {
    /// The model expected `key` and the source does not hold it.
    case missingKey(String)
    /// `key` exists with another shape.
    case wrongShape(key: String, expected: [Int], found: [Int])
    /// The source holds keys no part of the model took.
    case unexpectedKeys([String])
    /// The file could not be opened or mapped.
    case unreadable(file: String, reason: String)
    /// The file is malformed: truncated, a bad header, a tensor outside the data or overlapping another.
    case corrupt(file: String, tensor: String?, reason: String)
    /// A dtype this reader does not convert to float32.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// A pickle referenced a global outside the allow-list of this use.
    case forbiddenGlobal(file: String, global: String)
    /// A pickle stream this unpickler cannot (or will not) execute.
    case badPickle(file: String, reason: String)
    /// A config.json / model_index.json / index file is missing or wrong.
    case badConfig(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingKey(let key):
            return "weights: missing tensor '\(key)' (hint: the checkpoint is for another model or variant; list keys with `ldmprobe layers`)"
        case .wrongShape(let key, let expected, let found):
            return "weights: tensor '\(key)' has shape \(found), expected \(expected) (hint: config.json does not match the weights)"
        case .unexpectedKeys(let keys):
            let shown = keys.sorted().prefix(5).joined(separator: ", ")
            return "weights: \(keys.count) unexpected tensor(s): \(shown)\(keys.count > 5 ? ", …" : "") (hint: wrong model type or config)"
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason) (hint: check the path and permissions)"
        case .corrupt(let file, let tensor, let reason):
            let t = tensor.map { " tensor '\($0)':" } ?? ""
            return "\(file):\(t) \(reason) (hint: the file is truncated or not a valid checkpoint; download it again)"
        case .unsupportedDType(let file, let tensor, let dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype), not supported (hint: F32, F16, BF16, F64, I64 are)"
        case .forbiddenGlobal(let file, let global):
            return "\(file): pickle refers to '\(global)', which is not allowed here (hint: only plain tensor/array data is loaded; convert the file to .safetensors)"
        case .badPickle(let file, let reason):
            return "\(file): unsupported pickle: \(reason) (hint: convert the file to .safetensors)"
        case .badConfig(let file, let reason):
            return "\(file): \(reason) (hint: expected a diffusers folder as published for CompVis/stable-diffusion-v1-4)"
        }
    }
}
