// `pipeline --demo`: the embedded demo (Assets/demo, or $LDMPROBE_DEMO) — its model, 64 captions of rendered
// scenes (`ldmprobe world`, base seed 2), samplers ddim and pndm, 64×64, the three world labelers, the lstsq
// linear probe, classifier world-objects, bootstrap 200 and the permuted-weights control.
import ArgumentParser
import FileFormats
import Foundation
import World

struct DemoPreset {
    let model: String
    var prompts: String?
    let count = 64
    let size = 64
    let samplers = ["ddim", "pndm"]
    let labels = ["foreground=world-foreground", "depth=world-depth", "shading=world-shading"]
    let probe = "linear:fit=lstsq"
    let classifier = "world-objects"
    let bootstrap = 200
    let controlSeed: UInt64 = 0

    init(out: URL, images: PromptOptions, log: (String) -> Void) throws {
        let exe = Bundle.main.executablePath ?? CommandLine.arguments[0]
        guard let folder = DemoAssets.folder(from: exe, containing: "model/model_index.json") else {
            throw ValidationError("--demo: no Assets/demo/model above \(exe) (set \(DemoAssets.environmentVariable) "
                                  + "to the demo folder)")
        }
        log("demo assets \(folder)")
        model = folder + "/model"
        if images.prompt == nil && images.prompts == nil {
            if FileManager.default.fileExists(atPath: folder + "/prompts.csv") {
                prompts = folder + "/prompts.csv"
            } else {
                let csv = out.appendingPathComponent("prompts.csv")
                try Self.writeWorldPrompts(count: images.count ?? count, baseSeed: 2, to: csv)
                prompts = csv.path
            }
        }
    }

    /// Captions and seeds of `count` rendered-world scenes (as `ldmprobe world render` lists them), not rendered.
    static func writeWorldPrompts(count: Int, baseSeed: UInt64, to url: URL) throws {
        let rows = WorldDataset().scenes(count: count, baseSeed: baseSeed).enumerated().map { i, scene in
            [scene.caption, String(scene.seed), String(i)]
        }
        try CSVWriter.write(header: ["prompts", "seeds", "prompt_inds"], rows: rows, to: url)
    }
}
