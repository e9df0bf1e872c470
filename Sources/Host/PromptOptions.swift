// Shared option group: which images — one --prompt (with --seed) or a --prompts CSV (optionally its first --count).
import ArgumentParser
import FileFormats
import Foundation
import Pipeline

struct PromptOptions: ParsableArguments {
    @Option(help: "One prompt (image id prompt_0_seed_<seed>).")
    var prompt: String?

    @Option(help: "Seed of the single --prompt: torch.manual_seed(seed), torch.randn on the CPU (default 0).")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Dataset CSV with columns prompts, seeds, prompt_inds (UTF-8, or ISO-8859-1).",
                               valueName: "file.csv"))
    var prompts: String?

    @Option(help: "Use only the first N rows of --prompts.")
    var count: Int?

    func validate() throws {
        if prompt != nil && prompts != nil { throw ValidationError("give --prompt or --prompts, not both") }
        if prompts != nil && seed != nil { throw ValidationError("--seed goes with --prompt; --prompts rows carry their own seeds") }
        if let count, count < 1 { throw ValidationError("--count must be ≥ 1") }
    }

    /// The jobs; `required`: one of --prompt/--prompts must be given.
    func jobs() throws -> [ImageJob] {
        if let prompts {
            let rows = try PromptRow.read(URL(fileURLWithPath: prompts)).map(ImageJob.init(row:))
            return count.map { Array(rows.prefix($0)) } ?? rows
        }
        guard let prompt else { throw ValidationError("give exactly one of --prompt and --prompts") }
        return [.single(prompt: prompt, seed: seed ?? 0)]
    }

    var promptsFile: String? { prompts.map { URL(fileURLWithPath: $0).standardizedFileURL.path } }
}
