// Softmax along the last axis.
import Foundation

/// Numerically stable softmax of `rows` rows of length `n` (row stride `ld`) in place.
@inline(__always)
public func softmaxRows(_ p: UnsafeMutablePointer<Float>, rows: Int, n: Int, ld: Int) {
    parallelFor(rows, minPerThread: 8) { r in
        let row = p + r * ld
        var m = maxOf(row, n: n)
        if m == -Float.infinity { m = 0 }   // a fully masked row stays all zero below
        let s = expShiftSum(row, row, n: n, shift: m)
        let inv = s > 0 ? 1 / s : 0
        for j in 0..<n { row[j] *= inv }
    }
}

extension Tensor {
    /// torch.softmax(x, dim=-1).
    public func softmax() -> Tensor {
        var out = self
        let n = shape.last!
        out.data.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, rows: count / n, n: n, ld: n) }
        return out
    }
}
