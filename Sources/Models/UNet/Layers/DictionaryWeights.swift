// A WeightSource over tensors in memory: tests, and benchmarks that build a full-size model from random weights.
import Tensor
import Weights

/// Named tensors held in a dictionary.
public struct DictionaryWeights: WeightSource {
    public var tensors: [String: Tensor]
    public init(_ tensors: [String: Tensor]) { self.tensors = tensors }
    public var keys: [String] { Array(tensors.keys) }
    public func shape(_ key: String) -> [Int]? { tensors[key]?.shape }
    public func tensor(_ key: String) throws -> Tensor {
        guard let t = tensors[key] else { throw WeightSourceError.missingKey(key) }
        return t
    }
}

/// A WeightSource that invents any requested tensor: shape from the first `take`, values small and deterministic.
/// Used with `WeightLoader` to build a model of any config without a checkpoint (benchmarks). Its `keys` are the
/// ones handed out so far, so `finish()` never complains.
public final class RandomWeights: WeightSource {
    private var shapes: [String: [Int]] = [:]
    private var state: UInt64
    public init(seed: UInt64 = 1) { state = seed }
    public var keys: [String] { Array(shapes.keys) }
    /// Unknown keys report nil; `WeightLoader.take` on a RandomWeights source calls `declare` first.
    public func shape(_ key: String) -> [Int]? { shapes[key] }
    public func declare(_ key: String, _ shape: [Int]) { shapes[key] = shape }
    public func tensor(_ key: String) throws -> Tensor {
        guard let s = shapes[key] else { throw WeightSourceError.missingKey(key) }
        let n = s.reduce(1, *)
        let fanIn = max(1, s.count > 1 ? n / s[0] : n)
        let scale = 1 / Float(fanIn).squareRoot()
        var data = [Float](repeating: 0, count: n)
        for i in 0..<n {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            data[i] = (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
        if key.hasSuffix("norm.weight") || key.hasSuffix("norm1.weight") || key.hasSuffix("norm2.weight")
            || key.hasSuffix("norm3.weight") || key.hasSuffix("norm_out.weight") {
            for i in 0..<n { data[i] += 1 }
        }
        return Tensor(shape: s, data: data)
    }
}
