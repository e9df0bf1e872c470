// `ldmprobe classify-run --run DIR --classifier SPEC [--target CLASS | --targets FILE.csv] --out DIR`:
// the follow-up study's per-step classification. Every image's decoded intermediates (intermediates/<id>/xt_NN.png
// and/or x0_NN.png, written by `ldmprobe generate --save-intermediates xt|x0|both`) go through the classifier;
// writes classification.csv/.json and SVG charts of the target class's probability against step.
//     ldmprobe classify-run --run runs/lemons --classifier vgg16:weights=vgg16.safetensors,preprocess=caffe \
//         --target lemon --out runs/lemons/classification
// Without --target/--targets the target is the ImageNet label named in each prompt ("a photo of a lemon").
import ArgumentParser
import FileFormats
import Foundation
import Pipeline
import PluginHost
import Study

struct ClassifyRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify-run",
        abstract: "Classify every decoded intermediate of a generate run (per-step classification study).")

    @Option(name: .customLong("run"),
            help: ArgumentHelp("The run folder (from `ldmprobe generate --save-intermediates …`).", valueName: "dir"))
    var runFolder: String

    @Option(help: ArgumentHelp("The classifier: NAME[:key=value,…], e.g. vgg16:weights=vgg16.safetensors,preprocess=caffe.",
                               valueName: "spec"))
    var classifier: String

    @Option(help: "The target class of every image: a label (\"lemon\") or an index (951).")
    var target: String?

    @Option(help: ArgumentHelp("Per-image targets: CSV with a header naming `class` and `id` or `prompt_ind` columns.",
                               valueName: "file.csv"))
    var targets: String?

    @Option(help: ArgumentHelp("Which intermediates: xt (the current latent, as the study), x0 (predicted), or both "
                               + "(default: whatever the run saved)."))
    var kinds: String?

    @Option(help: "Classes kept per step.")
    var top = 5

    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var out: String

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if target != nil && targets != nil { throw ValidationError("give --target or --targets, not both") }
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1") }
        if let kinds, !["xt", "x0", "both"].contains(kinds) { throw ValidationError("--kinds: xt, x0 or both") }
    }

    func run() throws {
        let folder = RunFolder(URL(fileURLWithPath: runFolder))
        let manifest = try folder.readManifest()
        let saved = manifest.settings.saveIntermediates
        let wanted = kinds ?? (saved == "none" ? "xt" : saved)
        let kindList = wanted == "both" ? ["xt", "x0"] : [wanted]
        let calls = manifest.settings.calls

        let registry = try plugins.registry()
        let instance = try registry.classifier(spec: classifier).instantiate()
        let labels = instance.classNames
        let fixedTarget = try target.map { try ClassRanking.resolve($0, labels: labels) }
        let table = try targets.map { try readTargets($0, labels: labels) }

        var images: [StepImage] = []
        for record in manifest.images where record.status == .done {
            var frames: [String: [URL]] = [:]
            for kind in kindList {
                let urls = (0..<calls).map { folder.intermediateURL(record.id, kind: kind, call: $0) }
                if let missing = urls.first(where: { !FileManager.default.fileExists(atPath: $0.path) }) {
                    throw ClassificationError.missingIntermediates(
                        run: runFolder, message: "image \(record.id): no \(missing.lastPathComponent) (run saved '\(saved)')")
                }
                frames[kind] = urls
            }
            let t = fixedTarget ?? table.flatMap { $0[record.id] ?? $0["#\(record.promptInd)"] }
                ?? ClassRanking.find(in: record.prompt, labels: labels)
            images.append(StepImage(id: record.id, prompt: record.prompt, target: t, frames: frames))
        }
        guard !images.isEmpty else {
            throw ClassificationError.missingIntermediates(run: runFolder, message: "no finished images in the manifest")
        }
        let noTarget = images.filter { $0.target == nil }.map(\.id)
        if !noTarget.isEmpty {
            FileHandle.standardError.write(Data(("warning: no target class for \(noTarget.count) image(s) ("
                + noTarget.prefix(3).joined(separator: ", ") + "); give --target or --targets\n").utf8))
        }

        let start = Date()
        var last = Date.distantPast
        let study = StepClassification(classifier: instance, top: top)
        let report = try study.run(images, kinds: kindList) { i, n, j, u in
            let now = Date()
            guard now.timeIntervalSince(last) > 1 || (i == n - 1 && j == u) else { return }
            last = now
            let done = Double(i * u + j), total = Double(n * u)
            let per = now.timeIntervalSince(start) / max(1, done)
            FileHandle.standardError.write(Data(String(format: "image %d/%d, step %d/%d, %.2f s/step, ETA %.0f s\n",
                                                       i + 1, n, j, u, per, per * (total - done)).utf8))
        }
        let outURL = URL(fileURLWithPath: out)
        try report.write(to: outURL)
        for s in report.summary {
            let hist = s.firstCorrectHistogram.sorted { (Int($0.key) ?? Int.max) < (Int($1.key) ?? Int.max) }
                .map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            print("\(s.kind): first step with top-1 = target over \(s.imagesWithTarget) image(s): {\(hist)}"
                  + (s.firstCorrectMedian.map { String(format: ", median %.1f", $0) } ?? ""))
        }
        print("wrote \(outURL.appendingPathComponent("classification.csv").path), classification.json and charts")
    }

    /// id (or "#prompt_ind") → class index.
    func readTargets(_ path: String, labels: [String]) throws -> [String: Int] {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ClassificationError.badTargets(file: path, message: "cannot read")
        }
        let rows = try CSVReader.parse(CSVReader.decode(data, encoding: .utf8WithLatin1Fallback, path: path), path: path)
        guard let header = rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
              let classCol = header.firstIndex(of: "class") else {
            throw ClassificationError.badTargets(file: path, message: "no header with a 'class' column")
        }
        let idCol = header.firstIndex(of: "id"), indCol = header.firstIndex(of: "prompt_ind")
        guard idCol != nil || indCol != nil else {
            throw ClassificationError.badTargets(file: path, message: "no 'id' or 'prompt_ind' column")
        }
        var out: [String: Int] = [:]
        for row in rows.dropFirst() {
            guard row.fields.count == header.count else {
                throw ClassificationError.badTargets(file: path, message: "line \(row.line): \(row.fields.count) fields, "
                                                     + "header has \(header.count)")
            }
            let cls = try ClassRanking.resolve(row.fields[classCol], labels: labels)
            if let c = idCol { out[row.fields[c]] = cls }
            if let c = indCol { out["#" + row.fields[c].trimmingCharacters(in: .whitespaces)] = cls }
        }
        return out
    }
}
