// The `convert` action: a torchvision .pth state dict (or any weights file Weights reads) → .safetensors with the
// same names, F32. The result loads with weights=FILE.safetensors without the unpickler.
import Foundation
import PluginKit
import ClassifierSupport

enum VGGConvert {
    static func run(input: String, output: String, host: LDMHost?) throws {
        let source = try VGGWeightsSpec.open(input, plugin: "vgg convert")
        guard !source.keys.isEmpty else {
            throw ClassifierError.badWeights(plugin: "vgg convert", path: input, message: "holds no tensors")
        }
        try SafetensorsWriter.write(source, to: output,
                                    metadata: ["format": "pt", "converted_from": (input as NSString).lastPathComponent])
        host?.info("vgg convert: wrote \(source.keys.count) tensors to \(output)")
    }
}
