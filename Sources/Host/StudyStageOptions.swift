// The flags of the sharded study's map stages (`study train-map`, `study test-map`): `pipeline`'s model, images,
// sampling, sampler, capture, study and plugin flags. Map tasks record them (without --shard, --out, --quiet) in
// their files, so that `study solve` and `study report` rebuild the same study from --out alone.
import ArgumentParser
import Foundation
import Studies

struct StudyStageOptions: ParsableArguments {
    @Flag(help: "Use the embedded demo preset (as `pipeline --demo`; its first sampler, ddim).")
    var demo = false

    @OptionGroup var model: ModelOptions
    @OptionGroup var images: PromptOptions
    @OptionGroup var sampling: SamplingOptions

    @Option(help: ArgumentHelp("Sampler plugin spec (default lms); one per study.", valueName: "spec"))
    var sampler: String?

    @Option(help: ArgumentHelp("Module outputs to capture: paths or globs, repeatable (default '*attn1').",
                               valueName: "pattern"))
    var capture: [String] = []

    @OptionGroup var study: StudyOptions
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard demo || model.model != nil else { throw ValidationError("give --model (or --demo)") }
        if !demo {
            if (images.prompt == nil) == (images.prompts == nil) {
                throw ValidationError("give exactly one of --prompt and --prompts")
            }
            guard !study.label.isEmpty else { throw ValidationError("give at least one --label NAME=LABELER[:SOURCE]") }
        }
    }

    /// The pipeline config of the study in `out` (the demo preset filled in where flags are absent).
    func config(out: URL, log: (String) -> Void) throws -> PipelineConfig {
        let preset = try demo ? DemoPreset(out: out, images: images, log: log) : nil
        return try PipelineCommand.config(preset: preset, model: model, images: images, sampling: sampling,
                                          samplers: sampler.map { [$0] } ?? preset.map { [$0.samplers[0]] } ?? [],
                                          capture: capture, study: study, out: out)
    }

    /// The stage's own arguments without --shard, --out and --quiet (what solve and report parse again).
    static func recorded(_ arguments: [String]) -> [String] {
        var out: [String] = [], skip = false
        for a in arguments {
            if skip { skip = false; continue }
            if a == "--shard" || a == "--out" { skip = true; continue }
            if a.hasPrefix("--shard=") || a.hasPrefix("--out=") || a == "--quiet" { continue }
            out.append(a)
        }
        return out
    }

    /// The stage arguments after `ldmprobe study <stage>` on this process's command line.
    static var commandLineStageArguments: [String] {
        recorded(Array(CommandLine.arguments.dropFirst(3)))
    }
}
