// SamplerSupport — torch's float32 CPU arithmetic where its rounding differs from a naive Swift loop.
//
// diffusers builds every schedule with torch on float32, and two of torch's kernels round in their own way:
//  - `torch.linspace` (aten RangeFactoriesKernel, AVX2 build): step = (end − start)/(n − 1) in float32, then
//    start + step·i for i < n/2 and end − step·(n−1−i) above, each compiled to one fused multiply-add (the
//    AVX2 kernel is built with FMA contraction; checked bit-for-bit against torch 2.13 in the fixtures).
//  - `torch.cumprod` accumulates in double (acc_type<float> on CPU) and rounds each element to float32.
public enum TorchFloat32 {
    /// torch.linspace(start, end, count, dtype=float32) on an AVX2 CPU, bit for bit.
    public static func linspace(_ start: Double, _ end: Double, count: Int) -> [Float] {
        precondition(count >= 0)
        if count == 0 { return [] }
        let s = Float(start), e = Float(end)
        if count == 1 { return [s] }
        let step = (e - s) / Float(count - 1)
        let halfway = count / 2
        return (0..<count).map { i in
            i < halfway ? s.addingProduct(step, Float(i))      // fma(step, i, start)
                        : e.addingProduct(-step, Float(count - 1 - i))  // fma(−step, n−1−i, end)
        }
    }

    /// torch.cumprod(values, dim=0) for float32: a double accumulator, each prefix rounded to float32.
    public static func cumprod(_ values: [Float]) -> [Float] {
        var acc = 1.0
        return values.map { v in
            acc *= Double(v)
            return Float(acc)
        }
    }
}
