// `ldmprobe probe`: the probing study over a stored run — labels through labeler plugins (estimators label the
// run's images), one probe per (layer, UNet call, property), metrics with bootstrap intervals on the held-out
// split, the shuffled-label control (and optionally a permuted-weights run), charts, report and study.json.
// Engine: Studies.StoredRunStudy.
//
//     ldmprobe probe --run runs/demo --label fg=world-foreground --label depth=midas:labels/midas \
//         --probe linear:fit=lstsq --calls 0-14 --split csv:train.csv --out study/
import ArgumentParser
import Foundation
import Pipeline
import Studies

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Train and evaluate linear probes per layer and UNet call on a run's activations (docs/study.md).",
        discussion: """
            Labels are computed from the run's images (estimators) or read from SOURCE (importers), kept in \
            OUT/labels; OUT/study.json records how the study was made. Example:

              ldmprobe probe --run runs/demo --label fg=world-foreground \\
                  --label depth=midas:labels/midas --layers 'up_blocks.3*' \\
                  --calls 0-14 --split csv:train.csv --out study/
            """)

    @Option(name: .customLong("run"),
            help: ArgumentHelp("The run folder written by `ldmprobe generate` (activations/<id>/<layer>.npy).",
                               valueName: "dir"))
    var runFolder: String

    @Option(name: .customLong("control-run"),
            help: ArgumentHelp("A run of the same ids from a permuted-weights UNet (`generate --permute-weights "
                               + "SEED`): its cells become the PROPERTY:permuted rows.", valueName: "dir"))
    var controlRun: String?

    @OptionGroup var study: StudyOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard !study.label.isEmpty else { throw ValidationError("give at least one --label NAME=LABELER[:SOURCE]") }
    }

    func run() throws {
        let registry = try plugins.registry()
        let out = try output.prepare()
        var stored = StoredRunStudy(run: URL(fileURLWithPath: runFolder).standardizedFileURL,
                                    config: try study.config(), out: out)
        if let controlRun {
            let url = URL(fileURLWithPath: controlRun).standardizedFileURL
            stored.permutedRun = (url, try RunFolder(url).readManifest().settings.model.unetPermutationSeed ?? 0)
        }
        let progress = Progress(enabled: !output.quiet, prefix: "probe")
        let outcome = try stored.execute(registry: registry, log: progress.line)
        progress.summary("\(outcome.rows.count) metric rows → \(out.path)/metrics.csv; report \(out.path)/report.html; "
                         + "provenance \(out.path)/study.json" + StudyHeadline.text(study: out))
    }
}
