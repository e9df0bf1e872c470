// World: the module's one error type.

/// Errors of the scene renderer and dataset writer.
public enum WorldError: Error, CustomStringConvertible {
    case invalidArgument(String)
    case writeFailed(path: String, reason: String)
    /// A demo network's weights file: missing key, unexpected key or wrong shape.
    case badWeights(file: String, reason: String)
    /// The demo assets folder could not be found.
    case assetsNotFound(String)

    public var description: String {
        switch self {
        case .invalidArgument(let what):
            return "world: \(what)"
        case .badWeights(let file, let reason):
            return "world: weights \(file): \(reason) (hint: re-run tools/demo/train_estimators.py or check the path)"
        case .assetsNotFound(let what):
            return "world: \(what) (hint: set LDMPROBE_DEMO to the Assets/demo folder or pass weights=PATH)"
        case .writeFailed(let path, let reason):
            return "world: cannot write \(path): \(reason) (hint: check the output folder is writable)"
        }
    }
}
