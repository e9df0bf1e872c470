// `ldmprobe study`: the streaming probe study as map and reduce, for Slurm job arrays (Studies.ShardedStudy):
//
//     ldmprobe study train-map --shard K/N --out STUDY <pipeline's model/prompt/sampling/capture/study flags>
//     ldmprobe study solve     --out STUDY
//     ldmprobe study test-map  --shard K/N --out STUDY <the same flags>
//     ldmprobe study report    --out STUDY
import ArgumentParser
import FileFormats
import Foundation
import Pipeline
import Studies

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "The streaming probe study as map and reduce: train-map, solve, test-map, report (docs/study.md).",
        discussion: """
            STUDY is one folder shared by every task. train-map K/N adds its block of the training images to the \
            probes' sufficient statistics (linear:fit=lstsq) and writes STUDY/train/shard-K-of-N.safetensors; solve \
            sums every training shard and fits (STUDY/solve.safetensors); test-map K/N measures its block of the \
            test images (STUDY/test/shard-K-of-N.safetensors); report writes STUDY/study as `pipeline` writes \
            OUT/<sampler>/study. No activation is stored. A map task re-run with the same flags continues after \
            its last checkpointed image; a complete shard is a no-op. solve and report name any missing shard and \
            refuse files of other flags or model weights. Per-step classification, the permuted-weights control \
            and interventions are `pipeline`'s only.
            """,
        subcommands: [StudyTrainMapCommand.self, StudySolveCommand.self, StudyTestMapCommand.self,
                      StudyReportCommand.self])

    /// The study of `out` from the recorded stage flags of `file` (solve, report).
    static func recorded(out: URL, file: URL, quiet: Bool, log: @escaping (String) -> Void) throws -> ShardedStudy {
        let f = try StudyShardFile(contentsOf: file)
        let args = try f.list("arguments", in: file)
        let stage: StudyStageOptions
        do { stage = try StudyStageOptions.parse(args) } catch {
            throw StudiesError.folder(path: file.path, reason: "recorded flags \(args) do not parse: \(StudyStageOptions.message(for: error))")
        }
        return try ShardedStudy(config: try stage.config(out: out, log: log), arguments: args,
                                registry: try stage.plugins.registry(), progress: !quiet, log: log)
    }

    /// LDMPROBE_STOP_AFTER_IMAGES (a test hook: a map task stops after that many new images).
    static var stopAfter: Int? { ProcessInfo.processInfo.environment["LDMPROBE_STOP_AFTER_IMAGES"].flatMap { Int($0) } }
}

/// --out, --shard and --quiet of the stages.
struct StudyFolderOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The study folder shared by every task.", valueName: "dir"))
    var out: String

    @Flag(help: "No progress on stderr.")
    var quiet = false

    var url: URL { URL(fileURLWithPath: out).standardizedFileURL }

    /// --out, created when absent (every task of a study shares it; each writes only its own files).
    func prepare() throws -> URL {
        try AtomicFile.createFolder(url)
        return url
    }
}

struct StudyTrainMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-map", abstract: "Shard K/N of the training images → STUDY/train/shard-K-of-N.safetensors.")

    @Option(help: ArgumentHelp("This task's shard K/N (1-based; Slurm: $SLURM_ARRAY_TASK_ID/N).", valueName: "K/N"))
    var shard: String
    @OptionGroup var folder: StudyFolderOptions
    @OptionGroup var stage: StudyStageOptions

    func run() throws {
        let progress = Progress(enabled: !folder.quiet, prefix: "study train-map")
        let s = try ShardSpec(parsing: shard)
        let study = try ShardedStudy(config: try stage.config(out: try folder.prepare(), log: progress.line),
                                     arguments: StudyStageOptions.commandLineStageArguments,
                                     registry: try stage.plugins.registry(), progress: !folder.quiet, log: progress.line)
        try study.trainMap(s, stopAfter: StudyCommand.stopAfter)
        progress.close()
    }
}

struct StudySolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve", abstract: "Sum every training shard's statistics and fit → STUDY/solve.safetensors.")

    @OptionGroup var folder: StudyFolderOptions

    func run() throws {
        let progress = Progress(enabled: !folder.quiet, prefix: "study solve")
        let train = folder.url.appendingPathComponent("train")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: train.path)) ?? [])
            .filter { $0.hasPrefix("shard-") && $0.hasSuffix(".safetensors") }.sorted()
        guard let first = files.first else {
            throw StudiesError.folder(path: train.path, reason: "no training shards (hint: run `ldmprobe study train-map --shard K/N` first)")
        }
        try StudyCommand.recorded(out: folder.url, file: train.appendingPathComponent(first), quiet: folder.quiet,
                                  log: progress.line).solve()
        progress.close()
    }
}

struct StudyTestMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-map", abstract: "Shard K/N of the test images → STUDY/test/shard-K-of-N.safetensors.")

    @Option(help: ArgumentHelp("This task's shard K/N (1-based).", valueName: "K/N"))
    var shard: String
    @OptionGroup var folder: StudyFolderOptions
    @OptionGroup var stage: StudyStageOptions

    func run() throws {
        let progress = Progress(enabled: !folder.quiet, prefix: "study test-map")
        let s = try ShardSpec(parsing: shard)
        let study = try ShardedStudy(config: try stage.config(out: try folder.prepare(), log: progress.line),
                                     arguments: StudyStageOptions.commandLineStageArguments,
                                     registry: try stage.plugins.registry(), progress: !folder.quiet, log: progress.line)
        try study.testMap(s, stopAfter: StudyCommand.stopAfter)
        progress.close()
    }
}

struct StudyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Merge every test shard → STUDY/study (metrics.csv, probes, report.html).")

    @OptionGroup var folder: StudyFolderOptions

    func run() throws {
        let progress = Progress(enabled: !folder.quiet, prefix: "study report")
        let rows = try StudyCommand.recorded(out: folder.url, file: folder.url.appendingPathComponent("solve.safetensors"),
                                             quiet: folder.quiet, log: progress.line).report()
        progress.summary("\(rows.count) metric rows → \(folder.url.path)/study/metrics.csv"
                         + StudyHeadline.text(study: folder.url.appendingPathComponent("study")))
    }
}
