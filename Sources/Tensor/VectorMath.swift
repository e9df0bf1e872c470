// Vectorised exp (8 lanes) for the hot loops: softmax, SiLU. Scalar expf is a libm call per element and was the
// largest cost of attention at 4096 tokens.
import CKernels

/// Lanes the vector loops use.
public typealias FloatV = SIMD8<Float>

/// e^x per lane, Cephes-style: x = n·ln2 + r with |r| ≤ ln2/2, a degree-7 polynomial for e^r, 2^n from the
/// exponent bits. Relative error ≤ 2 ulp over the normal range; x < −87.3 (including −∞) gives exactly 0,
/// x > 88.7 overflows to +∞ (the models never get there). Only +, ·, masks and bit casts: SIMD `clamped` and
/// `replace(with:where:)` do not vectorise and cost 4× the whole polynomial.
@inline(__always)
public func expV(_ x: FloatV) -> FloatV {
    let lo = FloatV(repeating: -87.33654)
    let under = x .< lo
    let xc = x.replacing(with: lo, where: under)
    // n = round(x / ln2) by the 1.5·2²³ trick: its low mantissa bits then hold n as an integer.
    let magic = FloatV(repeating: 12582912)
    let t = xc * FloatV(repeating: 1.44269504088896341) + magic
    let n = t - magic
    var r = xc - n * FloatV(repeating: 0.693359375)             // ln2 split: exact high part …
    r = r - n * FloatV(repeating: -2.12194440e-4)               // … and the rest
    var p = FloatV(repeating: 1.9875691500e-4)
    p = p * r + FloatV(repeating: 1.3981999507e-3)
    p = p * r + FloatV(repeating: 8.3334519073e-3)
    p = p * r + FloatV(repeating: 4.1665795894e-2)
    p = p * r + FloatV(repeating: 1.6666665459e-1)
    p = p * r + FloatV(repeating: 5.0000001201e-1)
    let e = p * (r * r) + r + FloatV(repeating: 1)
    // 2ⁿ: (n + 127) << 23 as float bits; n is in t's low bits (t = magic + n).
    let ti = unsafeBitCast(t, to: SIMD8<Int32>.self) &- SIMD8<Int32>(repeating: 0x4B40_0000)
    let scale = unsafeBitCast((ti &+ SIMD8<Int32>(repeating: 127)) &<< SIMD8<Int32>(repeating: 23), to: FloatV.self)
    return (e * scale).replacing(with: 0, where: under)
}

/// dst[i] = e^(src[i] − shift) for i < n; returns the sum of the results. AVX2+FMA in CKernels (softmax_exp.c):
/// attention's exp was its largest cost, and SIMD8 here compiles to two SSE halves without FMA.
@inline(__always)
public func expShiftSum(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, n: Int, shift: Float) -> Float {
    ldmp_exp_shift_sum(src, dst, n, shift)
}

/// Whether the CKernels softmax/norm passes run their AVX2+FMA paths on this CPU (tests print it).
public var vectorKernelsUseAVX2: Bool { ldmp_softmax_uses_avx2() != 0 }

/// Largest of src[0..<n] (−∞ for n = 0).
@inline(__always)
public func maxOf(_ src: UnsafePointer<Float>, n: Int) -> Float {
    ldmp_row_max(src, n)
}

/// erf per lane by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7), the formula PyTorch's vectorised CPU
/// erf/GELU uses: sign(x) · (1 − poly(t) · t · e^(−x²)), t = 1/(1 + 0.3275911 |x|).
@inline(__always)
public func erfV(_ x: FloatV) -> FloatV {
    let signBit = SIMD8<UInt32>(repeating: 0x8000_0000)
    let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
    let ax = unsafeBitCast(bits & ~signBit, to: FloatV.self)
    let t = FloatV(repeating: 1) / (FloatV(repeating: 1) + FloatV(repeating: 0.3275911) * ax)
    var p = FloatV(repeating: 1.061405429)
    p = p * t + FloatV(repeating: -1.453152027)
    p = p * t + FloatV(repeating: 1.421413741)
    p = p * t + FloatV(repeating: -0.284496736)
    p = p * t + FloatV(repeating: 0.254829592)
    let y = FloatV(repeating: 1) - p * t * expV(-(ax * ax))
    return unsafeBitCast(unsafeBitCast(y, to: SIMD8<UInt32>.self) | (bits & signBit), to: FloatV.self)
}

/// Applies `f` to 8 lanes at a time over n floats: dst[i] = f(src[i]) (src may equal dst); the tail goes through
/// one padded vector.
@inline(__always)
public func mapV(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, n: Int, _ f: (FloatV) -> FloatV) {
    var j = 0
    let rawS = UnsafeRawPointer(src), rawD = UnsafeMutableRawPointer(dst)
    while j + 8 <= n {
        rawD.storeBytes(of: f(rawS.loadUnaligned(fromByteOffset: j * 4, as: FloatV.self)), toByteOffset: j * 4,
                        as: FloatV.self)
        j += 8
    }
    if j < n {
        var tail = FloatV(repeating: 0)
        for i in j..<n { tail[i - j] = src[i] }
        let v = f(tail)
        for i in j..<n { dst[i] = v[i - j] }
    }
}
