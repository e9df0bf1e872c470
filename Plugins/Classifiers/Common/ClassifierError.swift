// ClassifierSupport — the one error type of the classifier plugins (weights, architecture, images, conversion).
//
// Every message names the plugin and the file, key or argument at fault, and ends with a hint where one helps.
// The plugin maps each case to an ldmp_status through `pluginError`.
import PluginKit

public enum ClassifierError: Error, CustomStringConvertible {
    /// No weights given, or a file that is missing or unreadable.
    case weightsMissing(plugin: String, path: String, message: String)
    /// A weights file whose keys or shapes do not fit the architecture.
    case badWeights(plugin: String, path: String, message: String)
    /// A parameter value the plugin cannot use.
    case invalidParameter(plugin: String, name: String, message: String)
    /// An input image with the wrong dtype/shape.
    case badImage(plugin: String, message: String)
    /// Writing a converted file failed.
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case let .weightsMissing(p, path, m):
            return "\(p): " + (path.isEmpty ? "the weights parameter is required" : "weights '\(path)': \(m)")
                + " (hint: weights=FILE.safetensors|FILE.pth with torchvision's state-dict names, "
                + "or weights=random:SEED for benchmarks)"
        case let .badWeights(p, path, m):
            return "\(p): weights '\(path)': \(m)"
        case let .invalidParameter(p, n, m):
            return "\(p): parameter '\(n)': \(m)"
        case let .badImage(p, m):
            return "\(p): image: \(m) (hint: U8 [H, W, 3] RGB)"
        case let .io(path, m):
            return "'\(path)': \(m)"
        }
    }

    /// The PluginKit error carrying the ABI status for this case.
    public var pluginError: PluginKitError {
        switch self {
        case let .weightsMissing(_, path, _): return path.isEmpty ? .invalidArgument(description) : .io(description)
        case .badWeights, .invalidParameter, .badImage: return .invalidArgument(description)
        case .io: return .io(description)
        }
    }
}
