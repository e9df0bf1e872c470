// A perceptual distance with no learned weights, LPIPS's recipe with unit layer weights (LPIPS `lpips=False`):
//
//   d(a, b) = Σ_l mean_{h,w} Σ_c ( f̂_l(a)[c,h,w] − f̂_l(b)[c,h,w] )²,   f̂ = f / (‖f‖₂ over c + 1e-10)
//
// f_l: VGG-16's ReLU outputs entering each of its 5 max pools (relu1_2 … relu5_3), at the image's own size;
// input x/255 normalised with ImageNet's mean and std (the same affine map as LPIPS's scaling layer). 0 for equal
// images; each layer adds at most 4. Weights: any torchvision VGG-16 state dict (ImageNet weights for a real
// model), or `random:SEED[/DIV]` — He-initialised random weights, the only option offline (the demo); random
// VGG features still order distortions sensibly (LPIPS paper, fig. 4), but the absolute scale is theirs.
// Host-side use of the VGG plugin's own code (ClassifierSupport) — no ABI change — because a classifier plugin
// only returns probabilities and a feature vtable would be a 1.2 addition for one consumer.
import ClassifierSupport
import FileFormats
import Tensor

public final class PerceptualDistance {
    /// Unit-normalised taps of one image: per layer [C, P] (P pixels), channel-major.
    public struct Features {
        public var layers: [(channels: Int, pixels: Int, values: [Float])]
    }

    public let weights: String
    let network: VGGNetwork

    /// `weights`: a VGG-16 .safetensors/.pth or random:SEED[/DIV].
    public init(weights: String) throws {
        guard let config = VGGConfig.named("vgg16") else {
            throw StudiesError.option(flag: "vgg-weights", value: weights, reason: "no vgg16 configuration")
        }
        self.weights = weights
        network = try VGGWeightsSpec.parse(weights, plugin: "vgg16").network(config: config)
    }

    public func features(_ image: PNGImage) throws -> Features {
        guard image.channels == 3, image.width % 32 == 0, image.height % 32 == 0, image.width > 0, image.height > 0 else {
            throw StudiesError.option(flag: "vgg-weights", value: "\(image.width)×\(image.height)×\(image.channels)",
                                      reason: "the perceptual distance needs RGB images whose sides are multiples of 32")
        }
        let x = VGGNetwork.normalizedInput(image.bytes, height: image.height, width: image.width)   // [1, 3, H, W]
        return Features(layers: network.poolInputs(x).map { t in                                 // [1, C, h, w]
            let c = t.shape[1], p = t.shape[2] * t.shape[3]
            var v = t.data
            for i in 0 ..< p {
                var s: Float = 0
                for k in 0 ..< c { s += v[k * p + i] * v[k * p + i] }
                let inv = 1 / (s.squareRoot() + 1e-10)
                for k in 0 ..< c { v[k * p + i] *= inv }
            }
            return (c, p, v)
        })
    }

    /// d(a, b) as above; NaN when the feature shapes differ.
    public static func distance(_ a: Features, _ b: Features) -> Double {
        guard a.layers.count == b.layers.count else { return .nan }
        var total = 0.0
        for (la, lb) in zip(a.layers, b.layers) {
            guard la.channels == lb.channels, la.pixels == lb.pixels else { return .nan }
            var s = 0.0
            for i in 0 ..< la.values.count {
                let d = Double(la.values[i]) - Double(lb.values[i])
                s += d * d
            }
            total += s / Double(la.pixels)
        }
        return total
    }
}
