// Pipeline: text → image with taps, the run folder (manifest, .npy, PNG), shards and resume.
// One error enum for the module; every message names the file, layer, image or option at fault and gives a hint.

/// Everything the generation pipeline and the run folder can report.
public enum PipelineError: Error, CustomStringConvertible {
    /// A --capture pattern matched no capture point of the model.
    case unknownLayer(pattern: String, example: String)
    /// An invalid option value or combination.
    case invalidOption(option: String, reason: String)
    /// A model folder or file that cannot be used.
    case model(path: String, reason: String)
    /// An input file (noise, prompts) with the wrong content.
    case input(path: String, reason: String)
    /// A run folder problem (incompatible resume or merge, corrupt manifest).
    case runFolder(path: String, reason: String)
    /// A shape mismatch between pipeline stages (a bug or an unsupported model).
    case shape(what: String, expected: [Int], found: [Int])
    /// NaN or ±inf in a value of image `image` (the initial noise, a step's output, the decoded image).
    case nonFinite(image: String, what: String, hint: String)

    public var description: String {
        switch self {
        case let .unknownLayer(pattern, example):
            return "--capture '\(pattern)' matches no capture point of this model "
                + "(list them with `ldmprobe layers --model DIR`; e.g. \(example))"
        case let .invalidOption(option, reason):
            return "\(option): \(reason)"
        case let .model(path, reason):
            // A weights error already names its file and carries its own hint: don't wrap it again.
            if reason.hasPrefix(path) { return reason }
            return "\(path): \(reason) (expected a diffusers folder with unet/, vae/, text_encoder/, tokenizer/ "
                + "or a single-file SD v1 checkpoint)"
        case let .input(path, reason):
            return "\(path): \(reason)"
        case let .runFolder(path, reason):
            return "\(path): \(reason)"
        case let .shape(what, expected, found):
            return "\(what): expected shape \(expected), found \(found)"
        case let .nonFinite(image, what, hint):
            return "image \(image): \(what) holds NaN or infinity (likely cause: \(hint))"
        }
    }
}
