// img2img's starting latent, as diffusers' StableDiffusionImg2ImgPipeline makes it:
//
//   image  = PNG / 255 · 2 − 1                                          [1, 3, H, W]   (float32, as preprocess)
//   t_start = steps − min(int(steps · strength), steps)                  (get_timesteps; every sampler has order 1)
//   sampler.set_begin_call(t_start)                                      (set_begin_index; PNDM's counter restarts)
//   z  = scaling · (mean + exp(logvar/2) · randn(generator))            [1, 4, h, w]   (latent_dist.sample first)
//   x  = sampler.add_noise(t_start, z, randn(generator))                [1, 4, h, w]   (then the noise)
//
// and the denoising loop runs the calls t_start ..< call_count. One torch generator per image, seeded with its seed.
import FileFormats
import Foundation
import PluginHost
import Tensor

/// The init image of an img2img run and the latent each image starts from. Use from one thread at a time.
public final class Img2ImgStart {
    /// The preprocessed init image. // [1, 3, H, W] in [−1, 1]
    public let image: Tensor
    /// The encoder's (mean, logvar), computed once: every image of a run starts from the same init image.
    private var encoded: (mean: Tensor, logvar: Tensor)?

    /// Reads `url` (8-bit RGB or grey PNG of exactly height × width pixels).
    public init(url: URL, height: Int, width: Int) throws {
        let png: PNGImage
        do { png = try PNGImage.read(url) } catch {
            throw PipelineError.input(path: url.path, reason: "--init-image: \(error)")
        }
        guard png.width == width, png.height == height else {
            throw PipelineError.input(path: url.path,
                reason: "--init-image is \(png.width)×\(png.height) but the run is \(width)×\(height); "
                    + "resize it or pass matching --width/--height")
        }
        guard png.bitDepth == 8, png.channels == 3 || png.channels == 1,
              png.bytes.count == width * height * png.channels else {
            throw PipelineError.input(path: url.path, reason: "--init-image has \(png.channels) channel(s) of "
                + "\(png.bitDepth) bits; use an 8-bit RGB or grey PNG without alpha")
        }
        let n = width * height, c = png.channels
        var x = [Float](repeating: 0, count: 3 * n)                                      // [1, 3, H, W]
        for ch in 0 ..< 3 {
            for i in 0 ..< n {
                // numpy: uint8 → float32, / 255.0 in float32; torch: 2.0 * x − 1.0 in float32.
                let v = Float(png.bytes[i * c + (c == 3 ? ch : 0)]) / 255
                x[ch * n + i] = 2 * v - 1
            }
        }
        image = Tensor(shape: [1, 3, height, width], data: x)
    }

    /// diffusers' get_timesteps: the user step (= call, every sampler has order 1) the run starts at.
    public static func beginStep(steps: Int, strength: Double) -> Int {
        let kept = min(Int(Double(steps) * strength), steps)
        return max(steps - kept, 0)
    }

    /// The noised latent [1, 4, h, w] that call `begin` of `sampler` starts from, drawing from `generator`
    /// (the encoder's sample first, then the noise, as prepare_latents does).
    public func startLatent(encoder: LatentEncoder, scalingFactor: Float, sampler: SamplerInstance, begin: Int,
                            generator: inout TorchGenerator, latentShape shape: [Int]) throws -> [Float] {
        let z = try encodedSample(encoder: encoder, scalingFactor: scalingFactor, generator: &generator,
                                  latentShape: shape)
        let noise = generator.randn(count: z.count)
        return try sampler.addNoise(call: begin, original: z, noise: noise, shape: shape)
    }

    /// scaling · latent_dist.sample(generator): the clean latent [1, 4, h, w] before add_noise.
    public func encodedSample(encoder: LatentEncoder, scalingFactor: Float, generator: inout TorchGenerator,
                              latentShape shape: [Int]) throws -> [Float] {
        let (mean, logvar) = try encoded ?? encoder.encode(image)                        // [1, 4, h, w] each
        encoded = (mean, logvar)
        guard mean.shape == shape, logvar.shape == shape else {
            throw PipelineError.shape(what: "VAE encoder output", expected: shape, found: mean.shape)
        }
        let count = shape.reduce(1, *)
        let eps = generator.randn(count: count)
        var z = [Float](repeating: 0, count: count)
        for i in 0 ..< count {
            let std = Foundation.exp(0.5 * logvar.data[i])  // torch.exp(0.5 * logvar)
            z[i] = scalingFactor * (mean.data[i] + std * eps[i])
        }
        return z
    }
}
