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
    /// Floats of scratch a Winograd call on this many 2×2 output tiles may take (nil: Conv2DWinograd's 16 MB).
    /// Less for layers that run at a model's memory peak, where a smaller scratch costs less than the memory it
    /// saves (UpBlock2D).
    public var scratchBudget: (@Sendable (_ tiles: Int) -> Int?)?
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
        let scratch = budget(x, upsampled: false)
        if let y = store.winograd(x, bias: bias, stride: stride, padding: padding, scratch: scratch) { return y }
        // A half weight on the im2col path is widened block by block inside conv2d (columns built once).
        return x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, scratch: scratch)
    }

    /// `scratchBudget` for this input (nil without one).
    private func budget(_ x: Tensor, upsampled: Bool) -> Int? {
        guard let scratchBudget, x.shape.count == 4 else { return nil }
        let f = upsampled ? 2 : 1, k = store.shape.count == 4 ? store.shape[2] : 1
        let oh = (f * x.shape[2] + padding.top + padding.bottom - k) / stride + 1
        let ow = (f * x.shape[3] + padding.left + padding.right - k) / stride + 1
        return scratchBudget(x.shape[0] * ((oh + 1) / 2) * ((ow + 1) / 2))
    }

    /// The layer applied to x's nearest ×2 upsampling: x [B, I, H, W] → [B, O, OH, OW] of the [B, I, 2H, 2W] map,
    /// which a Winograd layer reads from x without materialising it (diffusers Upsample2D; values identical to
    /// `self(x.upsampleNearest(scale: 2))`). `capacity`: elements the result's buffer has room for, so that a
    /// concatenation can grow it in place (`Tensor.concatChannels(_:_:)`).
    public func upsampled(_ x: Tensor, capacity: Int = 0) -> Tensor {
        let scratch = budget(x, upsampled: true)
        if let y = store.winograd(x, bias: bias, stride: stride, padding: padding, upsampled: true,
                                  capacity: capacity, scratch: scratch) { return y }
        return x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, upsampled: true,
                        capacity: capacity, scratch: scratch)
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
        func winograd(_ x: Tensor, bias: Tensor?, stride: Int, padding: Padding2D, upsampled: Bool = false,
                      capacity: Int = 0, scratch: Int?) -> Tensor? {
            guard WinogradWeightCache.enabled, shape.count == 4, shape[2] == 3, shape[3] == 3, stride == 1,
                  x.shape.count == 4, x.shape[1] == shape[1] else { return nil }
            let wino = x.conv2dTakesWinograd(weightShape: shape, stride: 1, padding: padding, weightIsHalf: false,
                                             upsampled: upsampled)
            let useKept: Bool = lock.withLock {
                guard let w = original else { return true }
                guard wino, !w.isHalf else { return false }
                cache.fill(from: w)
                original = nil                         // U replaces it (16/9 of its bytes instead of 25/9)
                return true
            }
            // After the drop, maps below conv2d's Winograd threshold take Winograd on U too (im2col on the weight
            // would round the same values differently, as would a weight rebuilt from U).
            return useKept ? x.conv2d(winograd: cache, weightShape: shape, bias: bias, padding: padding,
                                      upsampled: upsampled, capacity: capacity, scratch: scratch) : nil
        }
    }
}
