// `ldmprobe classify-run --run DIR --classifier SPEC [--target CLASS | --targets FILE.csv] --out DIR`: per-step
// classification of a stored run's decoded intermediates (generate --save-intermediates xt|x0|both), through
// Studies.StoredRunClassification; `pipeline --classifier` does the same from memory while generating.
//
//     ldmprobe classify-run --run runs/lemons --target lemon --out runs/lemons/classification \
//         --classifier vgg16:weights=vgg16.safetensors,preprocess=caffe
import ArgumentParser
import Foundation
import Studies

struct ClassifyRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify-run",
        abstract: "Classify every decoded intermediate of a generate run (per-step classification study).")

    @Option(name: .customLong("run"),
            help: ArgumentHelp("The run folder (from `ldmprobe generate --save-intermediates …`).", valueName: "dir"))
    var runFolder: String

    @Option(help: ArgumentHelp("The classifier: NAME[:key=value,…].", valueName: "spec"))
    var classifier: String

    @Option(help: "The target class of every image: a label (\"lemon\") or an index (951).")
    var target: String?

    @Option(help: ArgumentHelp("Per-image targets: CSV with a header naming `class` and `id` or `prompt_ind` columns.",
                               valueName: "file.csv"))
    var targets: String?

    @Option(help: ArgumentHelp("Which intermediates: xt, x0 or both (default: whatever the run saved)."))
    var kinds: String?

    @Option(help: "Classes kept per step.")
    var top = 5

    @OptionGroup var output: OutputOptions
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if target != nil && targets != nil { throw ValidationError("give --target or --targets, not both") }
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1") }
        if let kinds, !["xt", "x0", "both"].contains(kinds) { throw ValidationError("--kinds: xt, x0 or both") }
    }

    func run() throws {
        let registry = try plugins.registry()
        let instance = try registry.classifier(spec: classifier).instantiate()
        let goals = try ClassificationTargets(target: target, tableFile: targets, labels: instance.classNames)
        let out = try output.prepare()
        let progress = Progress(enabled: !output.quiet, prefix: "classify-run")
        let start = Date()
        var last = Date.distantPast
        let (report, noTarget) = try StoredRunClassification(run: URL(fileURLWithPath: runFolder), kinds: kinds, top: top)
            .execute(classifier: instance, targets: goals) { i, n, j, u in
                let now = Date()
                guard now.timeIntervalSince(last) > 1 || (i == n - 1 && j == u) else { return }
                last = now
                let per = now.timeIntervalSince(start) / Double(max(1, i * u + j))
                progress.line(String(format: "image %d/%d, step %d/%d, %.2f s/step, ETA %.0f s", i + 1, n, j, u, per,
                                     per * Double(n * u - i * u - j)))
            }
        if !noTarget.isEmpty {
            progress.line("warning: no target class for \(noTarget.count) image(s) ("
                          + noTarget.prefix(3).joined(separator: ", ") + "); give --target or --targets")
        }
        try report.write(to: out)
        var summary = "wrote \(out.path)/classification.csv, classification.json and charts"
        for s in report.summary {
            let hist = s.firstCorrectHistogram.sorted { (Int($0.key) ?? Int.max) < (Int($1.key) ?? Int.max) }
                .map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            summary += "\n\(s.kind): first step with top-1 = target over \(s.imagesWithTarget) image(s): {\(hist)}"
                + (s.firstCorrectMedian.map { String(format: ", median %.1f", $0) } ?? "")
        }
        progress.summary(summary)
    }
}
