// torch.nn.Conv2d (groups 1) with its weights.
import Foundation
import Tensor

/// torch.nn.Conv2d: weight [O, I, k, k], bias [O]. Keys `<path>.weight`, `<path>.bias`.
/// With WinogradWeightCache.enabled, a float32 3×3 stride-1 layer keeps its transformed weights from its first
/// Winograd call on, and drops the weight itself (conv2d's path choice per map stays; a layer that later meets a
/// map below the Winograd threshold keeps Winograd, where a half layer would take im2col).
public struct Conv2d {
    /// [O, I, k, k], float32 or half (WeightResidency); after a float32 layer dropped it, rebuilt from the
    /// transformed weights (exact but for the middle row and column, within a rounding there).
    public var weight: Parameter {
        get { store.weight }
        set { store = Store(newValue) }
    }
    public var bias: Tensor?    // [O]
    public var stride: Int
    public var padding: Padding2D
    private var store: Store

    public init(_ w: WeightLoader, _ path: String, in i: Int, out o: Int, kernel k: Int, stride: Int = 1,
                padding: Int = 0, bias: Bool = true) throws {
        store = Store(try w.takeParameter(join(path, "weight"), [o, i, k, k]))
        self.bias = bias ? try w.take(join(path, "bias"), [o]) : nil
        self.stride = stride
        self.padding = Padding2D(padding)
    }

    /// x [B, I, H, W] → [B, O, OH, OW]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if let y = store.winograd(x, bias: bias, stride: stride, padding: padding) { return y }
        // A half weight on the im2col path is widened block by block inside conv2d (columns built once).
        return x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    public var outChannels: Int { store.shape[0] }

    /// The weight, or its Winograd transform once a float32 layer keeps that instead (shared by copies of the
    /// layer until one of them sets another weight).
    private final class Store: @unchecked Sendable {
        let shape: [Int]
        private let lock = NSLock()
        private var original: Parameter?
        private let cache = WinogradWeightCache()

        init(_ weight: Parameter) {
            shape = weight.shape
            original = weight
        }

        var weight: Parameter {
            lock.withLock { original } ?? Parameter(cache.reconstructedWeight(outChannels: shape[0], inChannels: shape[1]))
        }

        /// The Winograd call on kept U where conv2d's own choice is Winograd for a float32 weight (U replaces the
        /// weight from then on); nil where the weight itself is to be used (half, im2col maps while it is kept).
        func winograd(_ x: Tensor, bias: Tensor?, stride: Int, padding: Padding2D) -> Tensor? {
            guard WinogradWeightCache.enabled, shape.count == 4, shape[2] == 3, shape[3] == 3, stride == 1,
                  x.shape.count == 4, x.shape[1] == shape[1] else { return nil }
            let wino = x.conv2dTakesWinograd(weightShape: shape, stride: 1, padding: padding, weightIsHalf: false)
            let useKept: Bool = lock.withLock {
                guard let w = original else { return true }
                guard wino, !w.isHalf else { return false }
                cache.fill(from: w)
                original = nil                         // U replaces it (16/9 of its bytes instead of 25/9)
                return true
            }
            // After the drop, maps below conv2d's Winograd threshold take Winograd on U too (im2col on the weight
            // would round the same values differently, as would a weight rebuilt from U).
            return useKept ? x.conv2d(winograd: cache, weightShape: shape, bias: bias, padding: padding) : nil
        }
    }
}
