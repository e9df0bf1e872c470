// `ldmprobe layers`: every capture point of a model's UNet (exact diffusers module path) with its activation shape.
import ArgumentParser
import Foundation
import Models
import Weights

struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "List the UNet's capture points (diffusers module paths) with their activation shapes.",
        discussion: """
            Paths ending in .attn1 are the self-attention outputs (after to_out.0) the study probes; .attn2 the \
            cross-attention outputs; .resnets.k and .attentions.k the block outputs; down_blocks.i, mid_block, \
            up_blocks.i the level outputs. Shapes are for a CFG batch ([uncond, cond]).
            """)

    @Option(help: "A diffusers model folder (reads unet/config.json), a unet/config.json, or \"sd-v1.4\".")
    var model: String = "sd-v1.4"

    @Option(help: "Image height in pixels (latent = height / 8); default: the model's sample_size × 8.")
    var height: Int?

    @Option(help: "Image width in pixels; default: the height.")
    var width: Int?

    @Option(help: "Batch size in the printed shapes.")
    var batch: Int = 2

    @Option(help: "Only paths containing this text (e.g. attn1).")
    var filter: String?

    @Flag(help: "Print a JSON array of {path, shape} instead of text.")
    var json = false

    func validate() throws {
        for v in [height, width].compactMap({ $0 }) where v <= 0 || v % 8 != 0 {
            throw ValidationError("--height/--width must be positive multiples of 8 (got \(v))")
        }
    }

    func run() throws {
        let config: UNetConfig
        if model == "sd-v1.4" {
            config = .sdV14
        } else if model.hasSuffix(".json") {
            config = try UNetConfig.load(URL(fileURLWithPath: model))
        } else {
            config = try UNetConfig.load(try DiffusersModelFolder(path: model).configURL("unet"))
        }
        try config.validate()
        let h = (height ?? config.sampleSize * 8) / 8
        let w = (width ?? height ?? config.sampleSize * 8) / 8
        var paths = UNet2DConditionModel.layerPaths(config: config, latentHeight: h, latentWidth: w, batch: batch)
        if let filter { paths = paths.filter { $0.path.contains(filter) } }
        if json {
            let items = paths.map { ["path": $0.path, "shape": $0.shape] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: items, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            let width = paths.map(\.path.count).max() ?? 0
            for p in paths {
                print(p.path.padding(toLength: width, withPad: " ", startingAt: 0) + "  ["
                      + p.shape.map(String.init).joined(separator: ", ") + "]")
            }
        }
    }
}
