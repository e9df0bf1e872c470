// Takes a model's weights out of a WeightSource by exact state-dict name, checking each shape, and at the end
// reports any key nobody took. Shared by every model in this module (UNet, VAE; CLIP may use it too).
import Tensor
import Weights

/// Loads named tensors with shape checks and tracks which keys were used.
public final class WeightLoader {
    public let source: WeightSource
    /// Keys taken so far.
    public private(set) var used = Set<String>()

    /// How conv and linear weights stay in memory (`takeParameter`); other tensors are always float32.
    public let residency: WeightResidency

    public init(_ source: WeightSource, residency: WeightResidency = .auto) {
        self.source = source
        self.residency = residency
    }

    /// The tensor `key`, which must exist with exactly `shape` (error names the key otherwise).
    public func take(_ key: String, _ shape: [Int]) throws -> Tensor {
        try checked(key, shape, read: { try source.tensor(key) }, shapeOf: \.shape)
    }

    /// A conv or linear weight `key` of exactly `shape`, kept in the loader's residency.
    public func takeParameter(_ key: String, _ shape: [Int]) throws -> Parameter {
        try checked(key, shape, read: { try source.parameter(key, residency: residency) }, shapeOf: \.shape)
    }

    private func checked<T>(_ key: String, _ shape: [Int], read: () throws -> T, shapeOf: (T) -> [Int]) throws -> T {
        if let random = source as? RandomWeights { random.declare(key, shape) }
        guard let found = source.shape(key) else { throw WeightSourceError.missingKey(key) }
        guard found == shape else { throw WeightSourceError.wrongShape(key: key, expected: shape, found: found) }
        let value = try read()
        let got = shapeOf(value)
        guard got == shape else { throw WeightSourceError.wrongShape(key: key, expected: shape, found: got) }
        used.insert(key)
        return value
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
