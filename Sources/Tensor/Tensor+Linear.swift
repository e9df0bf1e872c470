// Fully connected layer (torch.nn.Linear).
import COpenBLAS

extension Tensor {
    /// torch.nn.Linear: x [..., I] · weightᵀ + bias → [..., O], weight [O, I] (a conv weight [O, I, 1, 1] works too),
    /// bias [O] or nil. One sgemm over all leading axes.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        Profiler.time("linear") {
            let o = weight.shape[0]
            let i = weight.count / o
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
                    weight.data.withUnsafeBufferPointer { w in
                        sgemm(transB: true, m: rows, n: o, k: i, a: a.baseAddress!, lda: i, b: w.baseAddress!, ldb: i,
                              beta: bias == nil ? 0 : 1, c: c.baseAddress!, ldc: o)
                    }
                }
            }
            return out
        }
    }
}
