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

    /// Shared validate() of commands with --demo: without it, a model and exactly one of --prompt/--prompts.
    static func validate(demo: Bool, model: ModelOptions, images: PromptOptions) throws {
        guard !demo else { return }
        guard model.model != nil else { throw ValidationError("give --model (or --demo)") }
        if (images.prompt == nil) == (images.prompts == nil) {
            throw ValidationError("give exactly one of --prompt and --prompts")
        }
    }

    /// Shared start of run() for commands with --demo: the preset (nil without --demo), the model path, and the
    /// images — the preset's prompts when none were given, its first `count` (default the preset's) rows.
    static func resolve(demo: Bool, out: URL, model: ModelOptions, images: PromptOptions, count: Int? = nil,
                        log: (String) -> Void) throws -> (preset: DemoPreset?, model: String, images: PromptOptions) {
        let preset = try demo ? DemoPreset(out: out, images: images, log: log) : nil
        guard let modelPath = model.model ?? preset?.model else { throw ValidationError("give --model (or --demo)") }
        var promptOptions = images
        if let p = preset?.prompts, images.prompt == nil && images.prompts == nil { promptOptions.prompts = p }
        if promptOptions.count == nil, let preset { promptOptions.count = count ?? preset.count }
        return (preset, modelPath, promptOptions)
    }

    /// Captions and seeds of `count` rendered-world scenes (as `ldmprobe world render` lists them), not rendered.
    static func writeWorldPrompts(count: Int, baseSeed: UInt64, to url: URL) throws {
        let rows = WorldDataset().scenes(count: count, baseSeed: baseSeed).enumerated().map { i, scene in
            [scene.caption, String(scene.seed), String(i)]
        }
        try CSVWriter.write(header: ["prompts", "seeds", "prompt_inds"], rows: rows, to: url)
    }
}
