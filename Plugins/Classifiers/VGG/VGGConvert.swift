// The `convert` action: a torchvision .pth state dict (or any weights file Weights reads) → .safetensors with the
// same names, F32. The result loads with weights=FILE.safetensors without the unpickler.
import ClassifierSupport
import FileFormats
import Foundation
import PluginKit
import Tensor

enum VGGConvert {
    static func run(input: String, output: String, host: LDMHost?) throws {
        let source = try VGGWeightsSpec.open(input, plugin: "vgg convert")
        guard !source.keys.isEmpty else {
            throw ClassifierError.badWeights(plugin: "vgg convert", path: input, message: "holds no tensors")
        }
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for key in source.keys {
            let t = try source.tensor(key)
            tensors[key] = (t.shape, t.data)
        }
        do {
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt", "converted_from": (input as NSString).lastPathComponent],
                                        to: URL(fileURLWithPath: output))
        } catch {
            throw ClassifierError.io(path: output, message: "\(error)")
        }
        host?.info("vgg convert: wrote \(source.keys.count) tensors to \(output)")
    }
}
