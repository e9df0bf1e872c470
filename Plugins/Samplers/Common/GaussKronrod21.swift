// SamplerSupport — K-LMS coefficients: the integral of a Lagrange basis polynomial as diffusers computes it:
// `scipy.integrate.quad(lms_derivative, σ_t, σ_{t+1}, epsrel=1e-4)`, where lms_derivative multiplies float32
// torch scalars. QUADPACK's dqagse first applies the 21-point Gauss–Kronrod rule (dqk21); for these low-degree
// polynomials that estimate is accepted at once, so diffusers' coefficient *is* the dqk21 sum. This file
// reproduces dqk21 (nodes, weights and summation order of QUADPACK) over the same float32 integrand, and falls
// back to the exact integral (the rule is exact for degree ≤ 31) if the estimate would not have been accepted.

import Foundation

/// QUADPACK dqk21 and dqagse's first acceptance test.
public enum GaussKronrod21 {
    /// Kronrod abscissae, xgk(1…11) of dqk21 (xgk(2), xgk(4), … are the 10-point Gauss nodes).
    static let xgk: [Double] = [
        0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
        0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
        0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
        0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
        0.294392862701460198131126603103866, 0.148874338981631210884826001129720,
        0.000000000000000000000000000000000,
    ]
    /// Kronrod weights wgk(1…11).
    static let wgk: [Double] = [
        0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
        0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
        0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
        0.123491976262065851077841389950160, 0.134709217311473325928054001771707,
        0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
        0.149445554002916905664936468389821,
    ]
    /// Gauss weights wg(1…5).
    static let wg: [Double] = [
        0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
        0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
        0.295524224714752870173892994651338,
    ]

    /// dqk21 over [a, b] (b < a allowed, as quad passes σ_t > σ_{t+1}). Returns the estimate and whether
    /// dqagse(epsabs 1.49e-8, epsrel) would accept it without subdividing.
    public static func integrate(_ f: (Double) -> Double, _ a: Double, _ b: Double,
                          epsabs: Double = 1.49e-8, epsrel: Double) -> (value: Double, accepted: Bool) {
        let epmach = Double.ulpOfOne, uflow = Double.leastNormalMagnitude
        let centr = 0.5 * (a + b)
        let hlgth = 0.5 * (b - a)
        let dhlgth = abs(hlgth)
        var resg = 0.0
        let fc = f(centr)
        var resk = wgk[10] * fc
        var resabs = abs(resk)
        var fv1 = [Double](repeating: 0, count: 10), fv2 = fv1
        for j in 1...5 {  // Gauss nodes (Fortran jtw = 2j)
            let jtw = 2 * j - 1  // zero-based
            let absc = hlgth * xgk[jtw]
            let fval1 = f(centr - absc), fval2 = f(centr + absc)
            fv1[jtw] = fval1
            fv2[jtw] = fval2
            let fsum = fval1 + fval2
            resg = resg + wg[j - 1] * fsum
            resk = resk + wgk[jtw] * fsum
            resabs = resabs + wgk[jtw] * (abs(fval1) + abs(fval2))
        }
        for j in 1...5 {  // Kronrod-only nodes (Fortran jtwm1 = 2j − 1)
            let jtwm1 = 2 * j - 2
            let absc = hlgth * xgk[jtwm1]
            let fval1 = f(centr - absc), fval2 = f(centr + absc)
            fv1[jtwm1] = fval1
            fv2[jtwm1] = fval2
            let fsum = fval1 + fval2
            resk = resk + wgk[jtwm1] * fsum
            resabs = resabs + wgk[jtwm1] * (abs(fval1) + abs(fval2))
        }
        let reskh = resk * 0.5
        var resasc = wgk[10] * abs(fc - reskh)
        for j in 0..<10 { resasc = resasc + wgk[j] * (abs(fv1[j] - reskh) + abs(fv2[j] - reskh)) }
        let result = resk * hlgth
        resabs = resabs * dhlgth
        resasc = resasc * dhlgth
        var abserr = abs((resk - resg) * hlgth)
        if resasc != 0 && abserr != 0 { abserr = resasc * min(1, pow15(200 * abserr / resasc)) }
        if resabs > uflow / (50 * epmach) { abserr = max((epmach * 50) * resabs, abserr) }
        // dqagse after its first dqk21 call.
        let errbnd = max(epsabs, epsrel * abs(result))
        let roundoff = abserr <= 100 * epmach * resabs && abserr > errbnd
        let accepted = roundoff || (abserr <= errbnd && abserr != resasc) || abserr == 0
        return (result, accepted)
    }

    /// x^1.5 as Fortran's `**1.5d+00` (libm pow); only the acceptance test uses it.
    private static func pow15(_ x: Double) -> Double { pow(x, 1.5) }
}
