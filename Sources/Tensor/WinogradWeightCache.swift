// Winograd-transformed weights of one float32 3×3 conv layer, kept after its first Winograd call so later calls
// skip the weight transform (0.16 s of a 1.9 s UNet call at latent 32).
import Foundation

/// U [16, O, I] of one layer's float32 weight, computed at the first Winograd call that hands it in and shared by
/// every later call (any map size: U does not depend on it) and thread. Costs 16/9 of the layer's weight bytes on
/// top of them; `enabled` (env `LDMPROBE_WINO_CACHE=0` turns it off) decides whether layers keep one at all.
/// Half weights are never cached (half residency keeps no float32 copy).
public final class WinogradWeightCache: @unchecked Sendable {
    private let lock = NSLock()
    private var u: [Float] = []

    public init() {}

    /// Whether Conv2d layers keep transformed weights (default on; `LDMPROBE_WINO_CACHE=0` off).
    nonisolated(unsafe) public static var enabled = ProcessInfo.processInfo.environment["LDMPROBE_WINO_CACHE"] != "0"

    /// Bytes held (0 before the first Winograd call).
    public var residentBytes: Int { lock.withLock { 4 * u.count } }

    /// U for float32 `weight` [O, I, 3, 3]: the kept one, or computed now (once; concurrent callers wait for it).
    func transformed(_ weight: UnsafePointer<Float>, co: Int, ci: Int) -> [Float] {
        lock.withLock {
            if u.count != 16 * co * ci {
                u = Conv2DWinograd.transform(weight: UnsafeRawPointer(weight), weightIsHalf: false, co: co, ci: ci)
            }
            return u
        }
    }
}
