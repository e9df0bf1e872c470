// SamplerSupport — the K-LMS coefficients of diffusers' LMSDiscreteScheduler.get_lms_coefficient.
//
// c = ∫_{σ_t}^{σ_{t+1}} Π_{k≠current} (τ − σ_{t−k}) / (σ_{t−current} − σ_{t−k}) dτ, computed like diffusers:
// scipy.integrate.quad (epsrel 1e-4) over an integrand that torch evaluates in float32 (the σs are float32
// tensors, so τ is rounded to float32 and every factor is a float32 operation).
public enum LMSCoefficients {
    /// The coefficient for derivative `current` (0 = newest) of an `order`-step update at step `t`.
    public static func coefficient(sigmas s: [Float], order: Int, t: Int, current: Int) -> Double {
        let f: (Double) -> Double = { tau in
            let tf = Float(tau)
            var prod: Float = 1
            for k in 0..<order where k != current {
                prod = prod * ((tf - s[t - k]) / (s[t - current] - s[t - k]))
            }
            return Double(prod)
        }
        let r = GaussKronrod21.integrate(f, Double(s[t]), Double(s[t + 1]), epsrel: 1e-4)
        return r.accepted ? r.value : exact(sigmas: s, order: order, t: t, current: current)
    }

    /// The same integral in double, exactly (the basis polynomial's coefficients, then its antiderivative).
    public static func exact(sigmas: [Float], order: Int, t: Int, current: Int) -> Double {
        let s = sigmas.map(Double.init)
        var poly: [Double] = [1]  // lowest degree first
        for k in 0..<order where k != current {
            let denom = s[t - current] - s[t - k]
            var next = [Double](repeating: 0, count: poly.count + 1)
            for (i, c) in poly.enumerated() {
                next[i + 1] += c / denom
                next[i] -= c * s[t - k] / denom
            }
            poly = next
        }
        func antiderivative(_ x: Double) -> Double {
            var v = 0.0
            for (i, c) in poly.enumerated().reversed() { v = v * x + c / Double(i + 1) }
            return v * x
        }
        return antiderivative(s[t + 1]) - antiderivative(s[t])
    }
}
