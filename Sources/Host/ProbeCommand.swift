// `ldmprobe probe`: the probing study over a generate run — labels through labeler plugins, one probe per
// (layer, step, property) through a probe plugin, metrics with bootstrap intervals on the held-out split, the
// shuffled-label control (and optionally a permuted-weights run), charts and an HTML report.
//
//     ldmprobe probe --run runs/demo --label fg=tracer:labels/tracer --label depth=midas:labels/midas \
//         --probe linear:fit=lstsq --steps 0-14 --split csv:train.csv --out study/
import ArgumentParser
import FileFormats
import Foundation
import PluginHost
import Study

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Train and evaluate linear probes per layer and step on a run's activations (docs/study.md).")

    @Option(name: .customLong("run"),
            help: ArgumentHelp("The run folder written by `ldmprobe generate` (activations/<id>/<layer>.npy).",
                               valueName: "dir"))
    var runFolder: String

    @Option(help: ArgumentHelp("A property: NAME=LABELER:FOLDER[,key=value…] (labeler parameters after the folder, "
                               + "e.g. depth=midas:labels/midas,normalize=minmax). Repeatable.", valueName: "spec"))
    var label: [String] = []

    @Option(help: ArgumentHelp("The probe plugin and its parameters.", valueName: "spec"))
    var probe = "linear"

    @Option(help: ArgumentHelp("Comma-separated layer names (default: every layer of the run).", valueName: "list"))
    var layers: String?

    @Option(help: ArgumentHelp("UNet call indices: 0,5,14 or ranges 0-14 (default: all).", valueName: "list"))
    var steps: String?

    @Option(help: ArgumentHelp("csv:TRAIN.csv[,TEST.csv] or fraction:F[:SEED].", valueName: "spec"))
    var split = "fraction:0.4:0"

    @Option(name: .customLong("label-size"),
            help: ArgumentHelp("Label resolution HxW or N (default: the run's image size, else 8× the largest grid).",
                               valueName: "size"))
    var labelSize: String?

    @Option(help: "Seed for probes, the shuffled-label control and bootstrap resamples.")
    var seed: UInt64 = 0

    @Option(help: "Bootstrap resamples per interval (0 = none).")
    var bootstrap = 1000

    @Flag(name: .customLong("no-shuffled-control"), help: "Skip the shuffled-label control probes.")
    var noShuffledControl = false

    @Option(name: .customLong("control-run"),
            help: ArgumentHelp("A run of the same ids with a permuted-weights UNet (the `:permuted` control).",
                               valueName: "dir"))
    var controlRun: String?

    @Option(help: "Test images whose predicted maps are saved (PNG) and shown in the report.")
    var predictions = 2

    @Option(name: .customLong("prediction-layers"),
            help: ArgumentHelp("Comma-separated layers whose predictions are saved (default: the last probed layer).",
                               valueName: "list"))
    var predictionLayers: String?

    @Option(help: ArgumentHelp("Output folder (metrics.csv/json, probes/*.safetensors, plots/, report.html).",
                               valueName: "dir"))
    var out: String

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard !label.isEmpty else { throw ValidationError("give at least one --label NAME=LABELER:FOLDER") }
        for l in label where ProbeCommand.parseLabel(l) == nil {
            throw ValidationError("--label \(l): expected NAME=LABELER:FOLDER[,key=value…]")
        }
        guard bootstrap >= 0, predictions >= 0 else { throw ValidationError("--bootstrap and --predictions must be ≥ 0") }
    }

    /// NAME=LABELER:FOLDER[,k=v…] → (name, labeler spec "LABELER:k=v,…", folder).
    static func parseLabel(_ s: String) -> (name: String, spec: String, folder: String)? {
        guard let eq = s.firstIndex(of: "="), let colon = s[eq...].firstIndex(of: ":") else { return nil }
        let name = String(s[..<eq]), labeler = String(s[s.index(after: eq)..<colon])
        let rest = s[s.index(after: colon)...]
        guard !name.isEmpty, !labeler.isEmpty, !rest.isEmpty, !name.contains(":") else { return nil }
        let parts = rest.split(separator: ",", maxSplits: 1).map(String.init)
        let spec = parts.count > 1 ? "\(labeler):\(parts[1])" : labeler
        return (name, spec, parts[0])
    }

    /// "0,5,10-14" → [0, 5, 10, 11, 12, 13, 14].
    static func parseSteps(_ s: String) throws -> [Int] {
        var out: [Int] = []
        for item in s.split(separator: ",") {
            let r = item.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if r.count == 1, let a = r[0] { out.append(a) }
            else if r.count == 2, let a = r[0], let b = r[1], a <= b { out += Array(a...b) }
            else { throw ValidationError("--steps \(s): expected e.g. 0,5,10-14") }
        }
        return out
    }

    func run() throws {
        let registry = try plugins.registry()
        let runs = try RunActivations(run: URL(fileURLWithPath: runFolder))
        let control = try controlRun.map { try RunActivations(run: URL(fileURLWithPath: $0)) }
        var properties: [StudyProperty] = []
        for l in label {
            let (name, spec, folder) = ProbeCommand.parseLabel(l)!
            let labeler = try registry.labeler(spec: spec).instantiate(source: folder)
            properties.append(StudyProperty(name: name, labeler: labeler))
        }
        let probePlugin = try registry.probe(spec: probe)
        let splitValue = try DataSplit.parse(split, ids: runs.ids)
        let (H, W) = try resolveLabelSize(runs)
        var options = ProbeStudyOptions(split: splitValue, labelHeight: H, labelWidth: W)
        options.layers = layers.map { $0.split(separator: ",").map { String($0) } }
        options.steps = try steps.map(ProbeCommand.parseSteps)
        options.seed = seed
        options.bootstrapResamples = bootstrap
        options.shuffledControl = !noShuffledControl
        options.predictionImages = predictions
        options.predictionLayers = predictionLayers.map { $0.split(separator: ",").map { String($0) } }
        FileHandle.standardError.write(("probe: \(runs.ids.count) images (\(splitValue.train.count) train, "
            + "\(splitValue.test.count) test), labels \(H)×\(W), properties "
            + properties.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ") + "\n").data(using: .utf8)!)
        let study = ProbeStudy(run: runs, properties: properties, probe: probePlugin, options: options,
                               out: URL(fileURLWithPath: out), controlRun: control)
        let rows = try study.run()
        print("probe: \(rows.count) metric rows → \(out)/metrics.csv, report \(out)/report.html")
    }

    func resolveLabelSize(_ runs: RunActivations) throws -> (Int, Int) {
        if let s = labelSize {
            let p = s.lowercased().split(separator: "x").compactMap { Int($0) }
            if p.count == 1, p[0] > 0 { return (p[0], p[0]) }
            if p.count == 2, p[0] > 0, p[1] > 0 { return (p[0], p[1]) }
            throw ValidationError("--label-size \(s): expected N or HxW")
        }
        if let id = runs.ids.first, let u = runs.imageURL(id), let img = try? PNGImage.read(u) {
            return (img.height, img.width)
        }
        let grid = try runs.layers.map { try runs.shape(layer: $0) }.map { max($0[2], $0[3]) }.max() ?? 64
        return (8 * grid, 8 * grid)
    }
}
