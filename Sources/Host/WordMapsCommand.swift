// `ldmprobe wordmaps`: per-word cross-attention maps for prompts generated here, from a word-map plugin (`--wordmap`,
// DAAM's `daam` by default). The UNet hands its cross-attention probabilities (`…attn2.probs`, conditional branch)
// to the plugin as it runs; nothing but the maps is stored (the run folder in OUT/run keeps the images and manifest).
// The DAAM flags (--layers, --heads, …) are settings of `daam`, appended to --wordmap's.
import ArgumentParser
import FileFormats
import Foundation
import Pipeline
import PluginHost
import Studies
import Tokenizer

struct WordMapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wordmaps",
        abstract: "Per-word cross-attention maps (a word-map plugin, DAAM by default): .npy maps and PNG overlays.",
        discussion: """
            DAAM's choices by default (Tang et al. 2022, castorini/daam): every cross-attention layer but the mid \
            block's, every head, every step, each summed (layer, head) map upsampled bicubically to the latent \
            size and clamped at 0, averaged; a word's map is the mean of its sub-token maps, shown at the image \
            size min-max normalised. Outputs per image id in OUT/<id>/: image.png, tokens.npy [T, h, w], \
            wordNN_<word>.npy [H, W] and .png overlays; OUT/words.csv lists words, token positions and the share \
            of pixels above the plugin's mask threshold (daam: --threshold). --wordmap swaps the plugin \
            (wordmap.h); the DAAM flags are then settings it must know. Example:

              ldmprobe wordmaps --model sd-v1-4 --prompt "a cat on a red sofa" \\
                  --seed 3 --words cat,sofa --out runs/cat-maps
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var images: PromptOptions
    @OptionGroup var sampling: SamplingOptions

    @Option(help: "Sampler plugin: a name (lms, ddim, pndm) or a library path, with optional :key=value,… settings.")
    var sampler: String = "lms"

    @Option(help: ArgumentHelp("Word-map plugin: a name (daam) or a library path, with optional :key=value,… "
                               + "settings (`ldmprobe plugins` lists them); the flags below are daam's settings.",
                               valueName: "spec"))
    var wordmap: String = "daam"

    @Option(help: ArgumentHelp("Words to map (comma-separated or repeated); default every word of the prompt.",
                               valueName: "word"))
    var words: [String] = []

    @Option(help: ArgumentHelp("Cross-attention layers: globs over '…attn2.probs' paths (see `ldmprobe layers`); "
                               + "default every one but the mid block's.", valueName: "glob"))
    var layers: [String] = []

    @Option(help: ArgumentHelp("Heads (0-based: 0,2,5-7); default all.", valueName: "list"))
    var heads: String?

    @Option(help: ArgumentHelp("UNet calls to aggregate (0-based: 0-4, 0,5,last); default all.",
                               valueName: "list"))
    var mapSteps: String?

    @Option(help: ArgumentHelp("Size the per-layer maps are upsampled to before averaging, HxW or N; default the "
                               + "latent size (DAAM: 64 at 512 px).", valueName: "size"))
    var upsample: String?

    @Flag(help: "Divide each token's map by the sum over the prompt's words (DAAM's normalize).")
    var normalize = false

    @Flag(help: "Keep the word maps' absolute values (DAAM's absolute=True) instead of min-max normalising them.")
    var absolute = false

    @Option(help: "Mask threshold on the normalised map for words.csv's mask_share (DAAM's τ).")
    var threshold: Float = 0.4

    @Option(name: .customLong("run"), help: ArgumentHelp("Instead of generating: a run folder whose `*attn2.probs` captures were stored "
                               + "(generate --capture '*attn2.probs'); the tokenizer comes from --tokenizer, --model "
                               + "or the run's model.", valueName: "dir"))
    var runFolder: String?

    @OptionGroup var output: OutputOptions
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if runFolder != nil {
            if images.prompt != nil || images.prompts != nil { throw ValidationError("--run reads the run's prompts: drop --prompt/--prompts") }
        } else {
            guard model.model != nil else { throw ValidationError("give --model (or --run)") }
            if (images.prompt == nil) == (images.prompts == nil) { throw ValidationError("give exactly one of --prompt and --prompts") }
        }
        _ = try wordMapOptions()
    }

    /// --wordmap with the DAAM flags given appended as daam settings (lists separated by ';'); `calls` resolves
    /// --map-steps, nil leaves it out (syntax check only).
    func wordMapSpec(calls: Int?) throws -> String {
        let o = try wordMapOptions(calls: calls)
        func list(_ v: [Int]) -> String { v.map(String.init).joined(separator: ";") }
        var settings: [String] = []
        if let l = o.layers { settings.append("layers=" + l.joined(separator: ";")) }
        if let h = o.heads { settings.append("heads=" + list(h)) }
        if let st = o.steps { settings.append("steps=" + list(st)) }
        if let h = o.upsampleHeight, let w = o.upsampleWidth { settings.append("upsample=\(h)x\(w)") }
        if normalize { settings.append("normalize=true") }
        if absolute { settings.append("absolute=true") }
        if threshold != 0.4 { settings.append("threshold=\(threshold)") }
        guard !settings.isEmpty else { return wordmap }
        return wordmap + (wordmap.contains(":") ? "," : ":") + settings.joined(separator: ",")
    }

    /// The DAAM choices; `calls` (the run's UNet calls) resolves --map-steps, nil only checks the flags' syntax.
    func wordMapOptions(calls: Int? = nil) throws -> WordMapOptions {
        var o = WordMapOptions()
        o.layers = layers.isEmpty ? nil : LayerPatterns.split(layers)
        // Heads and calls share the index grammar of --calls (0,2,5-7, all, last).
        o.heads = try heads.map { try CallIndices($0, flag: "heads").resolve(calls: CallIndices.maxIndex + 1) }
        let steps = try mapSteps.map { try CallIndices($0, flag: "map-steps") }
        if let steps, let calls { o.steps = try steps.resolve(calls: calls) }
        if let upsample {
            let parts = upsample.lowercased().split(separator: "x").map { Int($0) }
            guard (parts.count == 1 || parts.count == 2), let h = parts.first ?? nil, let w = parts.last ?? nil,
                  (1 ... 1024).contains(h), (1 ... 1024).contains(w) else {
                throw ValidationError("--upsample '\(upsample)': give N or HxW with sizes 1…1024 (e.g. 64)")
            }
            (o.upsampleHeight, o.upsampleWidth) = (h, w)
        }
        o.normalizeOverWords = normalize
        o.minMax = !absolute
        guard threshold.isFinite else { throw ValidationError("--threshold \(threshold): give a finite number") }
        o.threshold = threshold
        return o
    }

    func run() throws {
        if let runFolder {
            let folder = RunFolder(URL(fileURLWithPath: runFolder).standardizedFileURL)
            return try fromRun(folder, spec: try wordMapSpec(calls: try folder.readManifest().settings.calls))
        }
        let jobs = try images.jobs()
        let registry = try plugins.registry()
        let samplerPlugin = try registry.sampler(spec: sampler)
        let progress = Progress(enabled: !output.quiet, prefix: "wordmaps")
        progress.line("loading \(model.model ?? "")")
        let loaded = try LoadedModel(sampling.config(model, modelPath: model.model ?? ""))
        let pipeline = try loaded.pipeline(samplerPlugin)
        let calls = try pipeline.plan().calls
        let options = try wordMapOptions(calls: calls)
        let wordMap = try registry.wordMap(spec: try wordMapSpec(calls: calls))
        let chosen = pipeline.capturePoints.filter { $0.isAttentionProbabilities && options.includes(layer: $0.path) }
        guard !chosen.isEmpty else {
            throw ValidationError("--layers \(layers.joined(separator: ",")): selects no cross-attention layer "
                                  + "(they are named like down_blocks.0.attentions.0.transformer_blocks.0.attn2.probs)")
        }
        let out = try output.prepare()
        let writer = WordMapWriter(out: out, words: words.isEmpty ? nil : LayerPatterns.split(words))
        let collector = WordMapCollector(plugin: wordMap, tokenizer: loaded.sd.textEncoder.tokenizer, perStep: false,
                                         spans: writer.spans) {
            try writer.write($0)
            progress.line("\($0.job.id): maps written")
        }
        var runOptions = RunOptions(jobs: jobs)
        runOptions.capturePatterns = []
        runOptions.promptsFile = images.promptsFile
        let run = try loaded.run(pipeline, sampler: samplerPlugin, folder: RunFolder(out.appendingPathComponent("run")),
                                 options: runOptions)
        let reporter = ProgressReporter(totalImages: run.jobs.count, enabled: !output.quiet)
        let manifest = try run.execute(ldmprobeVersion: LDMProbeVersion.string, pluginAbi: LDMProbeVersion.pluginABI,
                                       consumers: [collector], observers: [collector], progress: reporter)
        reporter.close()
        for m in writer.missing { progress.line("word not in the prompt: \(m)") }
        let done = manifest.images.filter { $0.status == .done }.count
        progress.summary("\(done)/\(manifest.images.count) images, word maps from \(collector.layers.count) "
                         + "cross-attention layers in \(out.path)")
    }

    /// Word maps of a stored run: every finished image with stored `…attn2.probs` captures.
    func fromRun(_ folder: RunFolder, spec: String) throws {
        let wordMap = try plugins.registry().wordMap(spec: spec)
        let manifest = try folder.readManifest()
        let tokenizerFolder = model.tokenizer ?? ((model.model ?? manifest.settings.model.path) + "/tokenizer")
        let tokenizer = try CLIPTokenizer(folder: URL(fileURLWithPath: tokenizerFolder))
        let progress = Progress(enabled: !output.quiet, prefix: "wordmaps")
        let shape = manifest.settings.latentShape
        guard shape.count == 4 else {
            throw ValidationError("\(folder.manifestURL.path): latentShape \(shape) is not [1, 4, h, w]")
        }
        let out = try output.prepare()
        let writer = WordMapWriter(out: out, words: words.isEmpty ? nil : LayerPatterns.split(words))
        var done = 0
        for record in manifest.images where record.status == .done {
            guard !StoredProbabilities.files(run: folder, id: record.id).isEmpty else { continue }
            let w = PromptWords(prompt: record.prompt, tokenizer: tokenizer)
            let spans = writer.spans(record.job, w)
            let wm = try WordMapCollector.begin(wordMap, words: w, spans: spans, latentHeight: shape[2],
                                                latentWidth: shape[3])
            try StoredProbabilities.feed(run: folder, id: record.id) { try WordMapCollector.add(wm, $0, $1, $2) }
            let image = try PNGImage.read(folder.imageURL(record.id))
            try writer.write(WordMapCollector.Result(job: record.job, image: image, words: w, spans: spans,
                                                     latentHeight: shape[2], latentWidth: shape[3], total: wm))
            done += 1
            progress.line("\(record.id): maps written (\(done))")
        }
        guard done > 0 else {
            throw ValidationError("--run \(folder.url.path): no finished image with stored cross-attention "
                                  + "probabilities the options select (hint: generate --capture '*attn2.probs')")
        }
        for m in writer.missing { progress.line("word not in the prompt: \(m)") }
        progress.summary("\(done) images' word maps in \(out.path)")
    }
}
