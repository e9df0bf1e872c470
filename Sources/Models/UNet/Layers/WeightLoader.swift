// Takes a model's weights out of a WeightSource by exact state-dict name, checking each shape, and at the end
// reports any key nobody took. Shared by every model in this module (UNet, VAE; CLIP may use it too).
import Tensor
import Weights

/// Loads named tensors with shape checks and tracks which keys were used.
public final class WeightLoader {
    public let source: WeightSource
    /// Keys taken so far.
    public private(set) var used = Set<String>()

    public init(_ source: WeightSource) { self.source = source }

    /// The tensor `key`, which must exist with exactly `shape` (error names the key otherwise).
    public func take(_ key: String, _ shape: [Int]) throws -> Tensor {
        if let random = source as? RandomWeights { random.declare(key, shape) }
        guard let found = source.shape(key) else { throw WeightSourceError.missingKey(key) }
        guard found == shape else { throw WeightSourceError.wrongShape(key: key, expected: shape, found: found) }
        let t = try source.tensor(key)
        guard t.shape == shape else { throw WeightSourceError.wrongShape(key: key, expected: shape, found: t.shape) }
        used.insert(key)
        return t
    }

    /// Throws when the source holds keys that were not taken (keys for which `ignore` is true are allowed).
    public func finish(ignore: (String) -> Bool = { _ in false }) throws {
        let extra = source.keys.filter { !used.contains($0) && !ignore($0) }
        if !extra.isEmpty { throw WeightSourceError.unexpectedKeys(extra) }
    }
}

/// Joins a module path and a child name the way torch names state-dict entries ("a.b" + "c" → "a.b.c").
@inline(__always)
func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
