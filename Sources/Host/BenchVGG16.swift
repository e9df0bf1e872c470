// `ldmprobe bench vgg16`: the network alone on one 224×224 tensor, as the peers time it (bench/vgg_torch.py,
// onnx_peer.py --model vgg16): random weights, batch 1, fp32, logits then softmax; no image decoding or
// preprocessing (that is `classify --repeat`).
import ArgumentParser
import ClassifierSupport
import Foundation
import Tensor

struct BenchVGG16: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vgg16",
        abstract: "One VGG-16 forward + softmax on a 224×224 tensor (torchvision's widths, random weights).")

    @OptionGroup var options: BenchOptions

    @Option(help: "Images per call.")
    var batch: Int = 1

    @Option(help: "Image size in pixels (square; a multiple of 32: five 2×2 pools).")
    var size: Int = 224

    func validate() throws {
        guard size >= 32, size % 32 == 0 else { throw ValidationError("--size must be a positive multiple of 32") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        guard let config = VGGConfig.named("vgg16") else { throw ValidationError("vgg16: no such VGG config") }
        let net = VGGNetwork.random(config: config, seed: 0)
        let build = seconds(since: t0)
        let x = benchInput([batch, 3, size, size], seed: 2)  // [B, 3, size, size]
        try runBench("vgg16", options, extra: ["size": size, "batch": batch], buildSeconds: build) {
            _ = net.probabilities(x)  // [B, 1000]
        }
    }
}
