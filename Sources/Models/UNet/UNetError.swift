// Errors of the UNet and VAE ports.

/// What can go wrong configuring or running the UNet / VAE (weight key problems are WeightSourceError).
public enum UNetError: Error, CustomStringConvertible {
    case config(String, String)
    case unsupported(String, String)
    case input(String)

    public var description: String {
        switch self {
        case .config(let path, let m): return "\(path): \(m) (hint: point at the model's unet/ or vae/ folder)"
        case .unsupported(let path, let m): return "\(path): unsupported setting: \(m) (hint: SD v1.x UNets/VAEs only)"
        case .input(let m): return "model input: \(m)"
        }
    }
}
