// Fully connected layer (torch.nn.Linear).
import COpenBLAS

extension Tensor {
    /// torch.nn.Linear: x [..., I] · weightᵀ + bias → [..., O], weight [O, I] (a conv weight [O, I, 1, 1] works too),
    /// bias [O] or nil. One sgemm over all leading axes.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        linear(weight: Parameter(weight), bias: bias)
    }

    /// `linear` with the weight in either residency. A large half weight is widened and multiplied in blocks of
    /// output features (Parameter.rowsPerBlock), each sgemm writing its columns of the output.
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
                    let block = weight.rowsPerBlock
                    var o0 = 0
                    while o0 < o {
                        let n = min(block, o - o0)
                        (n == o ? weight : weight.rows(o0, n)).withFloat32 { w in     // [n, I]
                            sgemm(transB: true, m: rows, n: n, k: i, a: a.baseAddress!, lda: i, b: w, ldb: i,
                                  beta: bias == nil ? 0 : 1, c: c.baseAddress! + o0, ldc: o)
                        }
                        o0 += n
                    }
                }
            }
            return out
        }
    }
}
