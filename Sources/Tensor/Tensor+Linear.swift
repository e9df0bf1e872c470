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
            var out = Tensor(uninitialized: Array(shape.dropLast()) + [o])
            out.data.withUnsafeMutableBufferPointer { c in
                data.withUnsafeBufferPointer { a in
                    Self.linear(rows: count / i, a: a.baseAddress!, weight: weight, bias: bias, c: c.baseAddress!)
                }
            }
            return out
        }
    }

    /// Output floats (rows × O) from which `linearInPlace` works over its input's buffer; below, it is `linear`.
    nonisolated(unsafe) public static var inPlaceMinFloats = 1 << 20
    /// Output floats per row block of `linearInPlace` (tests lower it).
    nonisolated(unsafe) public static var inPlaceBlockFloats = 1 << 18

    /// `linear` written over x's own buffer, for a weight [O, I] with O ≤ I whose input is not needed after: rows
    /// in blocks (≤ `inPlaceBlockFloats` outputs, 1 MB), each computed into a scratch block and copied over the rows
    /// it read, so no second [rows, O] buffer exists (at latent 64 a self-attention's q takes the place of its
    /// normalised tokens: 10.5 MB less at a half-weight call's peak). Each row's values are `linear`'s: its sums
    /// run over the same k in the same order, whatever the block.
    public static func linearInPlace(_ x: consuming Tensor, weight: Parameter, bias: Tensor?) -> Tensor {
        let o = weight.shape[0], i = weight.count / max(1, weight.shape[0])
        var t = consume x
        guard o <= i, t.shape.last == i, t.count / max(1, i) * o >= inPlaceMinFloats else {
            return t.linear(weight: weight, bias: bias)
        }
        return Profiler.time("linear") {
            // Equal blocks: a ragged tiny last one would take OpenBLAS's small-product kernels (other sums).
            let rows = t.count / i, blocks = (rows + max(1, inPlaceBlockFloats / o) - 1) / max(1, inPlaceBlockFloats / o)
            let per = (rows + blocks - 1) / blocks
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: per * o)       // [per, O]
            defer { scratch.deallocate() }
            t.data.withUnsafeMutableBufferPointer { xp in
                let x = xp.baseAddress!
                var r0 = 0
                while r0 < rows {
                    let n = min(per, rows - r0)
                    linear(rows: n, a: x + r0 * i, weight: weight, bias: bias, c: scratch)
                    // Rows < r0 + n are read; their outputs end at (r0 + n) · O ≤ (r0 + n) · I.
                    (x + r0 * o).update(from: scratch, count: n * o)
                    r0 += n
                }
            }
            t.data.removeLast(t.count - rows * o)
            t.shape[t.shape.count - 1] = o
            return t
        }
    }

    /// c [rows, O] = a [rows, I] · weightᵀ (+ bias): both residencies; a half weight is widened and multiplied in
    /// blocks of output features, each sgemm writing its columns of c.
    static func linear(rows: Int, a: UnsafePointer<Float>, weight: Parameter, bias: Tensor?,
                       c: UnsafeMutablePointer<Float>) {
        let o = weight.shape[0], i = weight.count / max(1, weight.shape[0])
        if let bias {
            precondition(bias.count == o, "linear: bias has \(bias.count) elements, expected \(o)")
            bias.data.withUnsafeBufferPointer { bp in
                // Both cores: a large output's first touch (page faults) is a real cost.
                parallelFor(rows, minPerThread: 64) { r in (c + r * o).update(from: bp.baseAddress!, count: o) }
            }
        }
        let beta: Float = bias == nil ? 0 : 1
        if weight.isHalf, linearHalfPath == .threadBlocks,
           linearInThreadBlocks(weight, m: rows, a: a, beta: beta, c: c) {
            return
        }
        let block = weight.isHalf ? max(1, min(o, linearBlockFloats / max(1, i))) : o
        var o0 = 0
        while o0 < o {
            let n = min(block, o - o0)
            (n == o ? weight : weight.rows(o0, n)).withFloat32 { w in     // [n, I]
                sgemm(transB: true, m: rows, n: n, k: i, a: a, lda: i, b: w, ldb: i, beta: beta, c: c + o0, ldc: o)
            }
            o0 += n
        }
    }

    /// The `threadBlocks` path for a half weight [O, I]: blocks of output rows handed to the threads as they
    /// finish one. Returns false (nothing done) when the weight has too few blocks to keep every thread busy.
    static func linearInThreadBlocks(_ weight: Parameter, m: Int, a: UnsafePointer<Float>, beta: Float,
                                     c: UnsafeMutablePointer<Float>) -> Bool {
        let o = weight.shape[0], i = weight.count / max(1, o)
        return weight.withRawValues { raw, _ in
            halfRowBlocks(raw.assumingMemoryBound(to: UInt16.self), rows: o, rowLength: i, activations: m * i) {
                o0, n, w in     // w: [n, I]
                sgemm(transB: true, m: m, n: n, k: i, a: a, lda: i, b: w, ldb: i, beta: beta, c: c + o0, ldc: o)
            }
        }
    }

    /// Runs body(o0, n, w [n, I]) on blocks of rows o0 ..< o0 + n of a half weight [O, I], each widened by the
    /// thread that then multiplies it (body runs a single-threaded sgemm): no widened copy leaves that core's
    /// cache, and all threads together hold ≤ 4 × `linearBlockFloats` widened floats. `activations`: floats of
    /// the operand every block multiplies (re-packed per block). Returns false (nothing done) when the weight has
    /// too few blocks to keep every thread busy.
    static func halfRowBlocks(_ halves: UnsafePointer<UInt16>, rows o: Int, rowLength i: Int, activations: Int,
                              _ body: (Int, Int, UnsafePointer<Float>) -> Void) -> Bool {
        let cores = Compute.cores
        // Every block re-packs the activations; when they no longer fit in cache (m·I ≫ 1 M floats, latent
        // 64) that costs up to 11%, so blocks grow with them, to half their size and at most 4 × the budget.
        let floats = max(linearBlockFloats, min(4 * linearBlockFloats, activations / 2))
        // Rows per block: a multiple of 16 (OpenBLAS's kernel width) within this thread's share of the floats,
        // in a number of blocks that is a multiple of the threads and of equal size (but the last): a ragged
        // split left one thread idle for up to a block (LinearMicroBench: 2560 rows as 1632 + 928 ran at 78%).
        let maxRows = max(16, floats / cores / max(1, i) / 16 * 16)
        let most = (o + maxRows - 1) / maxRows
        guard cores > 1, most >= cores else { return false }
        let even = (most + cores - 1) / cores * cores                     // blocks, a multiple of the threads
        let rowsPerBlock = ((o + even - 1) / even + 15) / 16 * 16          // ≤ maxRows
        let blocks = (o + rowsPerBlock - 1) / rowsPerBlock
        Compute.withSingleThreadedBLAS {
            Compute.concurrentTasks(blocks, scratch: rowsPerBlock * i) { b, w in    // w: [rowsPerBlock, I]
                let o0 = b * rowsPerBlock, n = min(rowsPerBlock, o - o0)
                ldmp_half_to_float(halves + o0 * i, w, n * i)
                body(o0, n, w)
            }
        }
        return true
    }
}
