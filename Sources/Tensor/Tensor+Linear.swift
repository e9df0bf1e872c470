// Fully connected layer (torch.nn.Linear).
import CKernels

/// How `linear` feeds a half weight to sgemm (A/B switch for benchmarks; `threadBlocks` is the default).
public enum LinearHalfPath: Sendable {
    /// Both threads widen one block of ≤ `Tensor.linearBlockFloats` floats, then sgemm splits it over them.
    case sharedBlocks
    /// Each thread widens its own block of output rows (≤ `linearBlockFloats` / cores floats, kept in its L2)
    /// and multiplies it with a single-threaded sgemm: no widened copy ever leaves the cache.
    case threadBlocks
}

extension Tensor {
    /// Floats of widened weight all threads hold at once (1 M = 4 MB; up to 4 M next to activations of ≥ 8 M
    /// floats), far below the largest weight (13 M floats).
    nonisolated(unsafe) public static var linearBlockFloats = 1 << 20
    nonisolated(unsafe) public static var linearHalfPath = LinearHalfPath.threadBlocks

    /// torch.nn.Linear: x [..., I] · weightᵀ + bias → [..., O], weight [O, I] (a conv weight [O, I, 1, 1] works too),
    /// bias [O] or nil. One sgemm over all leading axes.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        linear(weight: Parameter(weight), bias: bias)
    }

    /// `linear` with the weight in either residency. A half weight is widened and multiplied in blocks of output
    /// features, each sgemm writing its columns of the output.
    public func linear(weight: Parameter, bias: Tensor? = nil) -> Tensor {
        let o = weight.shape[0], i = weight.count / max(1, weight.shape[0])
        return Profiler.time("linear") {
            precondition(shape.last == i, "linear: input last axis \(shape.last ?? 0) ≠ weight in-features \(i)")
            let rows = count / i
            var out = Tensor(uninitialized: Array(shape.dropLast()) + [o])
            out.data.withUnsafeMutableBufferPointer { c in
                if let bias {
                    precondition(bias.count == o, "linear: bias has \(bias.count) elements, expected \(o)")
                    bias.data.withUnsafeBufferPointer { bp in
                        // Both cores: a large output's first touch (page faults) is a real cost.
                        parallelFor(rows, minPerThread: 64) { r in
                            (c.baseAddress! + r * o).update(from: bp.baseAddress!, count: o)
                        }
                    }
                }
                data.withUnsafeBufferPointer { a in
                    let beta: Float = bias == nil ? 0 : 1
                    if weight.isHalf, Self.linearHalfPath == .threadBlocks,
                       Self.linearInThreadBlocks(weight, m: rows, a: a.baseAddress!, beta: beta, c: c.baseAddress!) {
                        return
                    }
                    let block = weight.isHalf ? max(1, min(o, Self.linearBlockFloats / max(1, i))) : o
                    var o0 = 0
                    while o0 < o {
                        let n = min(block, o - o0)
                        (n == o ? weight : weight.rows(o0, n)).withFloat32 { w in     // [n, I]
                            sgemm(transB: true, m: rows, n: n, k: i, a: a.baseAddress!, lda: i, b: w, ldb: i,
                                  beta: beta, c: c.baseAddress! + o0, ldc: o)
                        }
                        o0 += n
                    }
                }
            }
            return out
        }
    }

    /// The `threadBlocks` path for a half weight [O, I]: blocks of output rows handed to the threads as they
    /// finish one. Returns false (nothing done) when the weight has too few blocks to keep every thread busy.
    static func linearInThreadBlocks(_ weight: Parameter, m: Int, a: UnsafePointer<Float>, beta: Float,
                                     c: UnsafeMutablePointer<Float>) -> Bool {
        let o = weight.shape[0], i = weight.count / max(1, o), cores = Compute.cores
        // Every block re-packs the activations [m, I]; when they no longer fit in cache (m·I ≫ 1 M floats, latent
        // 64) that costs up to 11%, so blocks grow with them, to half their size and at most 4 × the budget.
        let floats = max(linearBlockFloats, min(4 * linearBlockFloats, m * i / 2))
        // Rows per block: a multiple of 16 (OpenBLAS's kernel width) within this thread's share of the floats,
        // in a number of blocks that is a multiple of the threads and of equal size (but the last): a ragged
        // split left one thread idle for up to a block (LinearMicroBench: 2560 rows as 1632 + 928 ran at 78%).
        let maxRows = max(16, floats / cores / max(1, i) / 16 * 16)
        let most = (o + maxRows - 1) / maxRows
        guard cores > 1, most >= cores else { return false }
        let even = (most + cores - 1) / cores * cores                     // blocks, a multiple of the threads
        let rowsPerBlock = ((o + even - 1) / even + 15) / 16 * 16          // ≤ maxRows
        let blocks = (o + rowsPerBlock - 1) / rowsPerBlock
        weight.withRawValues { raw, _ in
            let halves = raw.assumingMemoryBound(to: UInt16.self)
            Compute.withSingleThreadedBLAS {
                Compute.concurrentTasks(blocks, scratch: rowsPerBlock * i) { b, w in    // w: [rowsPerBlock, I]
                    let o0 = b * rowsPerBlock, n = min(rowsPerBlock, o - o0)
                    ldmp_half_to_float(halves + o0 * i, w, n * i)
                    sgemm(transB: true, m: m, n: n, k: i, a: a, lda: i, b: w, ldb: i, beta: beta, c: c + o0, ldc: o)
                }
            }
        }
        return true
    }
}
