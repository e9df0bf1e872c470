// Branching off a run (issue #17, early exit): the guided noise prediction of one call, for loops that follow a
// schedule of their own (a strided continuation) instead of generate()'s call-by-call plan. No taps fire here
// unless the caller attached consumers; early exit attaches none.
import PluginHost
import Tensor

extension DiffusionPipeline {
    /// The text states generate() uses for `prompt`: [2, S, D] with guidance ([uncond, cond]), else [1, S, D].
    public func conditioning(for prompt: String) throws -> Tensor { try textStates(for: prompt) }

    /// ε at `call` of the sampler instance `s` for latent `x` [1, 4, h, w] (scale_model_input, UNet, guidance).
    public func guidedNoise(_ x: [Float], call: Int, sampler s: SamplerInstance, context: Tensor,
                            image id: String) throws -> [Float] {
        let shape = latentShape
        var xin = x
        try s.scaleModelInput(call: call, sample: &xin, shape: shape)
        let twice = settings.usesGuidance
        let input = Tensor(shape: twice ? [2] + shape.dropFirst() : shape, data: twice ? xin + xin : xin)
        let out = try unet.predictNoise(input, timestep: Float(try s.timestep(call)), context: context)
        guard out.count == input.count else {
            throw PipelineError.shape(what: "UNet output", expected: input.shape, found: out.shape)
        }
        guard twice else { return out.data }
        let n = x.count, g = Float(settings.guidance)
        let eps = out.data.withUnsafeBufferPointer { o in (0 ..< n).map { o[$0] + g * (o[n + $0] - o[$0]) } }
        try Self.checkFinite(eps, id, "the guided noise prediction of call \(call) (early exit)",
                             "--guidance too large, or a model config/weights producing NaN")
        return eps
    }
}
