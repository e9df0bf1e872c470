// ClassifierSupport — building a VGGNetwork from a torchvision state dict (strict: every key, every shape) or from
// seeded random weights (benchmarks). Batch norm (eval mode, eps 1e-5) is folded into the preceding conv.
import Foundation
import Tensor
import Weights
import SeededRandom

extension VGGNetwork {
    /// Loads `config` from `source` (torchvision state-dict names). Throws on a missing or unexpected key, or on a
    /// shape that does not chain (conv in-channels = previous out-channels, classifier.0 in = C·7·7).
    public static func load(config: VGGConfig, from source: WeightSource, path: String) throws -> VGGNetwork {
        let plugin = config.name
        func bad(_ m: String) -> ClassifierError { .badWeights(plugin: plugin, path: path, message: m) }

        // Keys: exactly the expected set (num_batches_tracked may be present with batch norm).
        let expected = Set(config.expectedKeys)
        let present = Set(source.keys)
        let missing = expected.subtracting(present).sorted { keyOrder($0) < keyOrder($1) }
        let unexpected = present.subtracting(expected).filter {
            !(config.batchNorm && $0.hasSuffix(".num_batches_tracked"))
        }.sorted { keyOrder($0) < keyOrder($1) }
        if !missing.isEmpty || !unexpected.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.count) key(s): " + missing.prefix(4).joined(separator: ", ")) }
            if !unexpected.isEmpty {
                parts.append("unexpected \(unexpected.count) key(s): " + unexpected.prefix(4).joined(separator: ", "))
            }
            let guess = guessArchitecture(present)
            let hint = guess.map { $0 == plugin ? "" : " (hint: these look like \($0) weights: --classifier \($0))" }
                ?? " (hint: a torchvision VGG state dict has features.N.* and classifier.{0,3,6}.*)"
            throw bad(parts.joined(separator: "; ") + hint)
        }

        func tensor(_ key: String, _ shape: [Int]) throws -> Tensor {
            guard let s = source.shape(key) else { throw bad("missing key \(key)") }
            guard s == shape else { throw bad("\(key) has shape \(s), expected \(shape)") }
            return try source.tensor(key)
        }

        var convs: [Conv] = []
        var channels = 3
        for i in config.convModuleIndices {
            let wkey = "features.\(i).weight"
            guard let ws = source.shape(wkey), ws.count == 4 else { throw bad("\(wkey) is not a 4-D conv weight") }
            let out = ws[0]
            var weight = try tensor(wkey, [out, channels, 3, 3])       // [O, I, 3, 3]
            var bias = try tensor("features.\(i).bias", [out])          // [O]
            if config.batchNorm {
                let p = "features.\(i + 1)."
                let gamma = try tensor(p + "weight", [out]), beta = try tensor(p + "bias", [out])
                let mean = try tensor(p + "running_mean", [out]), variance = try tensor(p + "running_var", [out])
                foldBatchNorm(weight: &weight, bias: &bias, gamma: gamma, beta: beta, mean: mean, variance: variance)
            }
            convs.append(Conv(weight: weight, bias: bias))
            channels = out
        }
        var linears: [Linear] = []
        var features = channels * 49
        for i in VGGConfig.classifierModuleIndices {
            let wkey = "classifier.\(i).weight"
            guard let ws = source.shape(wkey), ws.count == 2 else { throw bad("\(wkey) is not a 2-D linear weight") }
            let weight = try tensor(wkey, [ws[0], features])           // [O, I]
            let bias = try tensor("classifier.\(i).bias", [ws[0]])    // [O]
            linears.append(Linear(weight: weight, bias: bias))
            features = ws[0]
        }
        return VGGNetwork(config: config, convs: convs, linears: linears)
    }

    /// Seeded random weights with torchvision's widths (or widths / `divisor`) and a 4096-wide classifier
    /// (or 4096 / divisor): for benchmarks, where only the arithmetic matters. He-scaled uniform values.
    public static func random(config: VGGConfig, seed: UInt64, divisor: Int = 1, classes: Int = 1000) -> VGGNetwork {
        var rng = SplitMix64(seed: seed)
        func uniform(_ shape: [Int], std: Float) -> Tensor {
            let n = shape.reduce(1, *)
            let a = std * 1.7320508
            var data = [Float](repeating: 0, count: n)
            for i in 0..<n { data[i] = a * (2 * rng.nextUnitFloat() - 1) }
            return Tensor(shape: shape, data: data)
        }
        var convs: [Conv] = []
        var channels = 3
        for w in config.widths.compactMap({ $0 }) {
            let out = max(1, w / divisor)
            convs.append(Conv(weight: uniform([out, channels, 3, 3], std: (2 / Float(channels * 9)).squareRoot()),
                              bias: Tensor(zeros: [out])))
            channels = out
        }
        let hidden = max(1, 4096 / divisor)
        var linears: [Linear] = []
        for (i, o) in [(channels * 49, hidden), (hidden, hidden), (hidden, classes)] {
            linears.append(Linear(weight: uniform([o, i], std: (2 / Float(i)).squareRoot()), bias: Tensor(zeros: [o])))
        }
        return VGGNetwork(config: config, convs: convs, linears: linears)
    }

    /// conv(x)·γ/√(σ²+ε) + (b − μ)·γ/√(σ²+ε) + β, as torch's BatchNorm2d in eval (ε = 1e-5).
    static func foldBatchNorm(weight: inout Tensor, bias: inout Tensor, gamma: Tensor, beta: Tensor, mean: Tensor,
                              variance: Tensor) {
        let out = weight.shape[0], per = weight.count / out
        for o in 0..<out {
            let scale = gamma.data[o] / (variance.data[o] + 1e-5).squareRoot()
            for k in 0..<per { weight.data[o * per + k] *= scale }
            bias.data[o] = (bias.data[o] - mean.data[o]) * scale + beta.data[o]
        }
    }

    /// Sort key that orders state-dict names by module index ("features.10" after "features.2").
    static func keyOrder(_ key: String) -> String {
        key.split(separator: ".").map { part in
            Int(part).map { String(repeating: "0", count: max(0, 6 - String($0).count)) + String($0) } ?? String(part)
        }.joined(separator: ".")
    }

    /// The VGG variant whose state dict has exactly these conv/bn keys, if any (for error hints).
    static func guessArchitecture(_ keys: Set<String>) -> String? {
        for c in VGGConfig.all {
            let conv = Set(c.expectedKeys.filter { $0.hasPrefix("features.") })
            let have = Set(keys.filter { $0.hasPrefix("features.") && !$0.hasSuffix("num_batches_tracked") })
            if conv == have { return c.name }
        }
        return nil
    }
}
