// Shared option group of the probe study (`probe`, `pipeline`): properties, probe, layers, UNet calls, split,
// seeds, bootstrap and controls. Layers take globs and calls take CallIndices' grammar, as in every command.
import ArgumentParser
import Studies

struct StudyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A property: NAME=LABELER[:SOURCE][,key=value…], e.g. fg=world-foreground or "
                               + "depth=midas:labels/midas,normalize=minmax. Repeatable.", valueName: "spec"))
    var label: [String] = []

    @Option(help: ArgumentHelp("The probe plugin and its parameters (default linear).", valueName: "spec"))
    var probe: String?

    @Option(help: ArgumentHelp("Layers to probe: module paths or globs ('up_blocks.3*', '*attn1'), comma-separated "
                               + "or repeated (default: every captured layer).", valueName: "patterns"))
    var layers: [String] = []

    @Option(help: ArgumentHelp("UNet call indices to probe: 0-4, 0,5,last or all (default all).", valueName: "calls"))
    var calls: String?

    @Option(help: ArgumentHelp("csv:TRAIN.csv[,TEST.csv] or fraction:F[:SEED] (default fraction:0.4:0).",
                               valueName: "spec"))
    var split: String?

    @Option(help: ArgumentHelp("Label resolution HxW or N (default: the image size).", valueName: "size"))
    var labelSize: String?

    @Option(help: "Seed of the probes, the shuffled-label control and the bootstrap (default 0).")
    var probeSeed: UInt64 = 0

    @Option(help: "Bootstrap resamples per interval, 0 = none (default 1000).")
    var bootstrap: Int?

    @Flag(name: .customLong("no-shuffled-control"), help: "Skip the shuffled-label control probes.")
    var noShuffledControl = false

    @Option(help: "Test images whose predicted maps are saved (PNG) and shown in the report.")
    var predictions = 2

    @Option(help: ArgumentHelp("Layers whose predictions are saved (globs; default: the last probed layer).",
                               valueName: "patterns"))
    var predictionLayers: [String] = []

    @Flag(name: .customLong("no-keep-labels"), help: "Do not keep the labels (default: <study>/labels/<property>/<id>.npy).")
    var noKeepLabels = false

    func validate() throws {
        for l in label { _ = try LabelSpec(parsing: l) }
        if let calls { _ = try CallIndices(calls, flag: "calls") }
        if let bootstrap, bootstrap < 0 { throw ValidationError("--bootstrap must be ≥ 0") }
        if predictions < 0 { throw ValidationError("--predictions must be ≥ 0") }
        _ = try size()
    }

    func size() throws -> (Int, Int)? {
        guard let s = labelSize else { return nil }
        let p = s.lowercased().split(separator: "x").compactMap { Int($0) }
        if p.count == 1, p[0] > 0 { return (p[0], p[0]) }
        if p.count == 2, p[0] > 0, p[1] > 0 { return (p[0], p[1]) }
        throw ValidationError("--label-size \(s): expected N or HxW")
    }

    /// The study config; `labels`, `probe` and `bootstrap` fall back to a preset's when not given.
    func config(labels presetLabels: [String] = [], probe presetProbe: String = "linear",
                bootstrap presetBootstrap: Int = 1000) throws -> StudyConfig {
        var c = StudyConfig(labels: try (label.isEmpty ? presetLabels : label).map(LabelSpec.init(parsing:)))
        c.probe = probe ?? presetProbe
        c.layers = layers.isEmpty ? nil : LayerPatterns.split(layers)
        c.calls = calls
        c.split = split ?? c.split
        if let (h, w) = try size() { (c.labelHeight, c.labelWidth) = (h, w) }
        c.seed = probeSeed
        c.bootstrap = bootstrap ?? presetBootstrap
        c.shuffledControl = !noShuffledControl
        c.predictions = predictions
        c.predictionLayers = predictionLayers.isEmpty ? nil : LayerPatterns.split(predictionLayers)
        c.keepLabels = !noKeepLabels
        return c
    }
}
