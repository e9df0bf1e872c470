// `ldmprobe world`: the embedded demo world — random scenes of simple objects rendered with exact labels.
//   ldmprobe world render --count 64 --size 64 --seed 1 --out world/
// writes images/, labels/{foreground,depth,distance,shading,albedo}/ and prompts.csv (the study's CSV format),
// so `generate --prompts world/prompts.csv` and the label importers work on it as on the published dataset.
import ArgumentParser
import Foundation
import World

struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world",
        abstract: "The synthetic demo world: render scenes with exact labels and captions.",
        subcommands: [Render.self, Caption.self])

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render N random scenes: images, exact labels and prompts.csv (prompts,seeds,prompt_inds).")

        @Option(help: "Number of scenes.")
        var count: Int

        @Option(help: "Image width and height in pixels (the demo model is trained at 64).")
        var size: Int = 64

        @Option(help: "Base seed: scene i gets a seed derived from (seed, i), listed in prompts.csv.")
        var seed: UInt64 = 1

        @Option(help: "Index of the first scene (prompt_inds start here; lets a dataset be rendered in parts).")
        var firstIndex: Int = 0

        @Option(help: "Rays per pixel along each axis for RGB/albedo/shading (1 = exact RGB = albedo × shading).")
        var samples: Int = 2

        @Option(help: "Output folder (created).")
        var out: String

        func validate() throws {
            guard count > 0 else { throw ValidationError("--count must be positive") }
            guard size >= 8 && size <= 4096 else { throw ValidationError("--size must be in 8…4096") }
            guard samples >= 1 && samples <= 8 else { throw ValidationError("--samples must be in 1…8") }
            guard firstIndex >= 0 else { throw ValidationError("--first-index must be ≥ 0") }
        }

        func run() throws {
            let dataset = WorldDataset(samples: samples)
            try dataset.write(count: count, size: size, baseSeed: seed, firstIndex: firstIndex,
                              to: URL(fileURLWithPath: out))
        }
    }

    struct Caption: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the captions (with seed and image id) of the scenes `render` would draw.")

        @Option(help: "Number of scenes.")
        var count: Int = 10

        @Option(help: "Base seed (as for render).")
        var seed: UInt64 = 1

        @Option(help: "Index of the first scene.")
        var firstIndex: Int = 0

        func validate() throws { try WorldDataset.checkRange(count: count, firstIndex: firstIndex) }

        func run() throws {
            let dataset = WorldDataset()
            for (k, scene) in dataset.scenes(count: count, baseSeed: seed, firstIndex: firstIndex).enumerated() {
                print("\(WorldDataset.imageID(index: firstIndex + k, seed: scene.seed))\t\(scene.caption)")
            }
        }
    }
}
