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
        var data = [Float](repeating: 0, count: s.reduce(1, *))
        let draw = drawer(key, s)
        data.withUnsafeMutableBufferPointer { draw($0.baseAddress!, $0.count) }
        return Tensor(shape: s, data: data)
    }

    /// `.f16`: the values `tensor` would give, rounded to half in chunks (no float32 copy of the whole: the
    /// freed copies fragmented the heap, and RSS grew back into it during calls).
    public func parameter(_ key: String, residency: WeightResidency) throws -> Parameter {
        guard residency == .f16, let s = shapes[key] else { return residency.parameter(try tensor(key)) }
        let draw = drawer(key, s)
        return Parameter(half: HalfBuffer(count: s.reduce(1, *)) { chunk, _, n in draw(chunk, n) }, shape: s)
    }

    /// Writes the next `n` values of `key` (shape `s`) at each call, continuing the generator's sequence.
    private func drawer(_ key: String, _ s: [Int]) -> (UnsafeMutablePointer<Float>, Int) -> Void {
        let n = s.reduce(1, *)
        let fanIn = max(1, s.count > 1 ? n / s[0] : n)
        let scale = 1 / Float(fanIn).squareRoot()
        let offset: Float = key.hasSuffix("norm.weight") || key.hasSuffix("norm1.weight")
            || key.hasSuffix("norm2.weight") || key.hasSuffix("norm3.weight") || key.hasSuffix("norm_out.weight") ? 1 : 0
        return { out, count in
            for i in 0..<count {
                self.state = self.state &* 6364136223846793005 &+ 1442695040888963407
                out[i] = (Float(self.state >> 40) / Float(1 << 24) * 2 - 1) * scale + offset
            }
        }
    }
}
