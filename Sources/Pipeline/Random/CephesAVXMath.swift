// CephesAVXMath: scalar float32 replicas of log256_ps and sincos256_ps from ATen/native/cpu/avx_mathfun.h (Cephes
// polynomials by way of sse_mathfun). torch's AVX2 build fills randn blocks of 16 with these, not with libm, so
// bit-exact noise needs the same operations in the same order, each rounded to float32.
//
// `fused` mirrors how the compiler built torch: GCC contracts an intrinsic multiply followed by an add into one
// FMA (-ffp-contract=fast), always the first multiply in statement order whose only use is an add; the RNG tests
// pin that torch 2.13's x86-64 wheel is the fused one (0 of 16384 elements differ fused, 147 unfused).

enum CephesAVXMath {
    @inline(__always) private static func madd(_ a: Float, _ b: Float, _ c: Float, _ fused: Bool) -> Float {
        fused ? c.addingProduct(a, b) : a * b + c
    }

    /// log(x) for x > 0, as log256_ps computes it per lane.
    static func log(_ xIn: Float, fused: Bool) -> Float {
        if xIn <= 0 { return .nan }
        var x = max(xIn, Float(bitPattern: 0x0080_0000))  // cut off denormals
        let exponentBits = Int32(bitPattern: x.bitPattern >> 23)
        x = Float(bitPattern: (x.bitPattern & ~0x7f80_0000) | Float(0.5).bitPattern)
        var e = Float(exponentBits - 0x7f)
        e = e + 1
        let below = x < Float(0.707106781186547524)
        let tmp: Float = below ? x : 0
        x = x - 1
        e = e - (below ? 1 : 0)
        x = x + tmp
        let z = x * x
        var y: Float = 7.0376836292E-2
        y = madd(y, x, -1.1514610310E-1, fused)
        y = madd(y, x, 1.1676998740E-1, fused)
        y = madd(y, x, -1.2420140846E-1, fused)
        y = madd(y, x, 1.4249322787E-1, fused)
        y = madd(y, x, -1.6668057665E-1, fused)
        y = madd(y, x, 2.0000714765E-1, fused)
        y = madd(y, x, -2.4999993993E-1, fused)
        y = madd(y, x, 3.3333331174E-1, fused)
        y = y * x
        // GCC fuses the first multiply (in statement order) whose only use is an add: here y·z, not e·q1.
        y = madd(y, z, e * -2.12194440e-4, fused)
        y = fused ? y.addingProduct(-z, 0.5) : y - z * 0.5
        x = x + y
        x = madd(e, 0.693359375, x, fused)
        return x
    }

    /// (sin θ, cos θ) as sincos256_ps computes them per lane.
    static func sincos(_ xIn: Float, fused: Bool) -> (sin: Float, cos: Float) {
        var x = abs(xIn)
        let signSin = xIn.sign == .minus
        var y = x * Float(1.27323954473516)
        var j = Int32(y)  // cvttps: truncation
        j = (j &+ 1) & ~1
        y = Float(j)
        let swapSin = (j & 4) != 0
        let polyMask = (j & 2) == 0
        x = madd(y, -0.78515625, x, fused)
        x = madd(y, -2.4187564849853515625e-4, x, fused)
        x = madd(y, -3.77489497744594108e-8, x, fused)
        let signCos = ((~(j &- 2)) & 4) != 0
        let z = x * x
        var yc: Float = 2.443315711809948E-005
        yc = madd(yc, z, -1.388731625493765E-003, fused)
        yc = madd(yc, z, 4.166664568298827E-002, fused)
        yc = yc * z
        yc = madd(yc, z, -(z * 0.5), fused)  // y·z − z·0.5: the first multiply fuses (an FMS)
        yc = yc + 1
        var ys: Float = -1.9515295891E-4
        ys = madd(ys, z, 8.3321608736E-3, fused)
        ys = madd(ys, z, -1.6666654611E-1, fused)
        ys = ys * z
        ys = madd(ys, x, x, fused)
        // Select: sine takes ys where polyMask, else yc; cosine the other one.
        let ysin2: Float = polyMask ? ys : 0
        let ysin1: Float = polyMask ? 0 : yc
        let ycos2 = ys - ysin2
        let ycos1 = yc - ysin1
        var s = ysin1 + ysin2
        var c = ycos1 + ycos2
        if signSin != swapSin { s = -s }
        if signCos { c = -c }
        return (s, c)
    }
}
