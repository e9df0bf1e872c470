// SamplerSupport — what each sampler plugin implements (sampler.h, in Swift terms).
//
// One instance per pipeline run; `call` counts model evaluations (PNDM makes n + 1 calls for n steps). Buffers are
// the host's latents [B, C, h, w] flattened, all of one length; `prevSample` may alias `sample`, so steps read
// element i of every input before writing element i of an output (state that outlives the call is copied).
public protocol Sampler: AnyObject {
    /// Plans `steps` steps and resets all state (diffusers' set_timesteps).
    func setTimesteps(_ steps: Int) throws
    /// Model calls planned by setTimesteps (0 before it).
    var callCount: Int { get }
    /// The timestep handed to the model at `call` (< callCount).
    func timestep(_ call: Int) -> Double
    /// The factor the initial unit-variance noise is multiplied by.
    var initNoiseSigma: Double { get }
    /// Scales the model input for `call` in place.
    func scaleModelInput(call: Int, _ x: UnsafeMutableBufferPointer<Float>) throws
    /// One step from x_t (`sample`) with the model output at `call`; writes x_{t−1} and, if asked, x̂0.
    func step(call: Int, modelOutput: UnsafeBufferPointer<Float>, sample: UnsafeBufferPointer<Float>,
              noise: UnsafeBufferPointer<Float>?, prevSample: UnsafeMutableBufferPointer<Float>,
              predOriginal: UnsafeMutableBufferPointer<Float>?) throws
    /// Whether step() needs `noise` with the current parameters (DDIM with η > 0).
    var needsNoise: Bool { get }
    /// Starts the denoising at `call` (img2img; diffusers' set_begin_index): resets the multistep state.
    func setBeginCall(_ call: Int) throws
    /// Noises clean latents to the level at which `call` starts (diffusers' add_noise); changes no state.
    /// `noisy` may alias `original`.
    func addNoise(call: Int, original: UnsafeBufferPointer<Float>, noise: UnsafeBufferPointer<Float>,
                  noisy: UnsafeMutableBufferPointer<Float>)
}
