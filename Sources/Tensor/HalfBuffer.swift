// HalfBuffer: IEEE binary16 elements owned in memory — a weight kept at half its float32 size and widened
// right before use (Parameter). Conversions run in CKernels (F16C with a portable fallback), spread over the cores.
import CKernels

/// `count` binary16 values, allocated and owned (freed with the last reference).
public final class HalfBuffer: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<UInt16>

    private init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(1, count))
    }

    deinit { base.deallocate() }

    /// A copy of `count` little-endian binary16 values at `bytes` (may be unaligned, e.g. inside a mapped file).
    public convenience init(copying bytes: UnsafeRawPointer, count: Int) {
        self.init(count: count)
        UnsafeMutableRawPointer(base).copyMemory(from: bytes, byteCount: 2 * count)
    }

    /// `values` rounded to the nearest binary16 (ties to even): the opt-in precision cost of half residency.
    public convenience init(narrowing values: UnsafePointer<Float>, count: Int) {
        self.init(count: count)
        HalfConversion.narrow(values, into: base, count: count)
    }

    /// `count` values produced in chunks of ≤ 4096 floats by `fill(chunk, start, n)` and rounded to binary16 as
    /// `init(narrowing:)` rounds them, without a float32 copy of the whole (a model built from random weights
    /// would otherwise leave a heap full of freed float32 temporaries).
    public convenience init(count: Int, narrowingChunks fill: (UnsafeMutablePointer<Float>, Int, Int) -> Void) {
        self.init(count: count)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4096) { chunk in
            var lo = 0
            while lo < count {
                let n = min(4096, count - lo)
                fill(chunk.baseAddress!, lo, n)
                ldmp_float_to_half(chunk.baseAddress!, base + lo, n)
                lo += n
            }
        }
    }

    /// The values widened to float32 (exact).
    public func widen(into dst: UnsafeMutablePointer<Float>) {
        HalfConversion.widen(base, into: dst, count: count)
    }
}

/// The CKernels conversions, split over `Compute.cores` for large arrays (widening is memory-bound).
public enum HalfConversion {
    /// Elements per thread below which one thread converts (dispatch costs more than it saves).
    static let minPerThread = 1 << 16

    /// Whether the F16C path runs on this CPU (else the portable loop).
    public static var usesF16C: Bool { ldmp_half_uses_f16c() != 0 }

    /// dst[i] = Float(src[i]), exact.
    public static func widen(_ src: UnsafePointer<UInt16>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        chunked(count) { lo, n in ldmp_half_to_float(src + lo, dst + lo, n) }
    }

    /// dst[i] = src[i] rounded to binary16, ties to even.
    public static func narrow(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<UInt16>, count: Int) {
        chunked(count) { lo, n in ldmp_float_to_half(src + lo, dst + lo, n) }
    }

    private static func chunked(_ count: Int, _ body: (Int, Int) -> Void) {
        let threads = max(1, min(Compute.cores, count / minPerThread))
        if threads == 1 {
            if count > 0 { body(0, count) }
            return
        }
        // Chunks of whole cache lines (16 floats) so two threads never write the same line.
        let chunk = ((count + threads - 1) / threads + 15) / 16 * 16
        parallelFor(threads) { t in
            let lo = t * chunk
            if lo < count { body(lo, min(chunk, count - lo)) }
        }
    }
}
