// Winograd-transformed weights of one float32 3×3 conv layer, kept after its first Winograd call so later calls
// skip the weight transform (0.16 s of a 1.9 s UNet call at latent 32).
import Foundation

/// U [16, O, I] of one layer's float32 weight [O, I, 3, 3], filled once and shared by every later call (any map
/// size: U does not depend on it) and thread. 16/9 of the weight's bytes: a layer that keeps it can drop the
/// weight itself (Conv2d does). `enabled` (env `LDMPROBE_WINO_CACHE=0` turns it off) decides whether layers keep one.
public final class WinogradWeightCache: @unchecked Sendable {
    private let lock = NSLock()
    private var u: [Float] = []

    public init() {}

    /// Whether Conv2d layers keep transformed weights (default on; `LDMPROBE_WINO_CACHE=0` off).
    nonisolated(unsafe) public static var enabled = ProcessInfo.processInfo.environment["LDMPROBE_WINO_CACHE"] != "0"

    /// Bytes held (0 before the first fill).
    public var residentBytes: Int { lock.withLock { 4 * u.count } }

    /// Whether U is there.
    public var isFilled: Bool { lock.withLock { !u.isEmpty } }

    /// Transforms float32 `weight` [O, I, 3, 3] unless U is already there (half weights: nothing is kept).
    public func fill(from weight: Parameter) {
        guard weight.shape.count == 4, !weight.isHalf else { return }
        weight.withRawValues { raw, _ in
            _ = transformed(raw.assumingMemoryBound(to: Float.self), co: weight.shape[0], ci: weight.shape[1])
        }
    }

    /// The kept U (empty before the first fill).
    var values: [Float] { lock.withLock { u } }

    /// U for float32 `weight` [O, I, 3, 3]: the kept one, or computed now (once; concurrent callers wait for it).
    func transformed(_ weight: UnsafePointer<Float>, co: Int, ci: Int) -> [Float] {
        lock.withLock {
            if u.count != 16 * co * ci {
                u = Conv2DWinograd.transform(weight: UnsafeRawPointer(weight), weightIsHalf: false, co: co, ci: ci)
            }
            return u
        }
    }

    /// The weight [O, I, 3, 3] back from U (G's rows 0 and 3 pick g's first and last row, rows 1 − 2 the middle
    /// one): exact except the middle row and column, within a rounding of the original there.
    public func reconstructedWeight(outChannels co: Int, inChannels ci: Int) -> Tensor {
        let u = values
        var w = Tensor(zeros: [co, ci, 3, 3])
        guard u.count == 16 * co * ci else { return w }
        let plane = co * ci
        for o in 0..<co {
            for c in 0..<ci {
                let k = o * ci + c
                func uv(_ a: Int, _ b: Int) -> Float { u[(4 * a + b) * plane + k] }
                func col(_ a: Int, _ j: Int) -> Float { j == 0 ? uv(a, 0) : j == 2 ? uv(a, 3) : uv(a, 1) - uv(a, 2) }
                for i in 0..<3 {
                    for j in 0..<3 {
                        let v = i == 0 ? col(0, j) : i == 2 ? col(3, j) : col(1, j) - col(2, j)
                        w.data[(k * 3 + i) * 3 + j] = v
                    }
                }
            }
        }
        return w
    }
}
