// Fully connected layer (torch.nn.Linear).
import COpenBLAS

extension Tensor {
    /// torch.nn.Linear: x [..., I] · weightᵀ + bias → [..., O], weight [O, I] (a conv weight [O, I, 1, 1] works too),
    /// bias [O] or nil. One sgemm over all leading axes.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        linear(weight: Parameter(weight), bias: bias)
    }

    /// `linear` with the weight in either residency (a half weight is widened for this call).
    public func linear(weight: Parameter, bias: Tensor? = nil) -> Tensor {
        weight.withFloat32 { linear(weightPointer: $0, out: weight.shape[0], inFeatures: weight.count / weight.shape[0],
                                    bias: bias) }
    }

    /// `linear` on float32 weights [o, inFeatures] at `w`.
    public func linear(weightPointer w: UnsafePointer<Float>, out o: Int, inFeatures i: Int, bias: Tensor?) -> Tensor {
        Profiler.time("linear") {
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
                    sgemm(transB: true, m: rows, n: o, k: i, a: a.baseAddress!, lda: i, b: w, ldb: i,
                          beta: bias == nil ? 0 : 1, c: c.baseAddress!, ldc: o)
                }
            }
            return out
        }
    }
}
