// SamplerSupport — diffusers' add_noise for the ᾱ-parameterised schedulers (DDIMScheduler, PNDMScheduler):
// noisy = ᾱ_t ** 0.5 · x0 + (1 − ᾱ_t) ** 0.5 · ε, float32 op by op (torch's pow with exponent 0.5 is sqrt).
public enum AlphaNoise {
    /// Writes the noised `original` at training timestep `t` into `noisy` (which may alias `original`).
    public static func add(alphasCumprod ac: [Float], t: Int, original: UnsafeBufferPointer<Float>,
                           noise: UnsafeBufferPointer<Float>, noisy: UnsafeMutableBufferPointer<Float>) {
        let a = ac[t]
        let sqrtA = a.squareRoot(), sqrtB = (1 - a).squareRoot()
        for i in 0..<noisy.count { noisy[i] = sqrtA * original[i] + sqrtB * noise[i] }
    }
}
