// ProbeStudy: the probing study over a run — for every (layer, step) and property, one probe trained on the
// training images' activations and labels, evaluated on the held-out images with the property's metrics
// (binary: Dice; continuous: Spearman, Pearson, RMSE), each a per-image mean with a seeded bootstrap interval.
// Controls beside each probe: the same probe trained on labels permuted across training images (`:shuffled`),
// and, given a run of the UNet with permuted weights, the same study on it (`:permuted`); after every cell, the
// references without activations (`:layout`, `:cap`; LayoutBaseline). Beside metrics.csv: per_image_metrics.csv,
// split.csv and gaps.csv (ControlGap).
// Cell by cell: each (layer, step) reads its slice of every image again (from a run folder or from memory);
// StreamingProbeStudy computes the same tables image by image in one pass, for probes fitted in one pass.
import FileFormats
import Foundation
import PluginHost

/// A property to probe: its name (`depth`) and the labeler that reads its labels.
public struct StudyProperty {
    public var name: String
    public var labeler: LabelerInstance
    public var kind: LabelKind

    public init(name: String, labeler: LabelerInstance) {
        self.name = name
        self.labeler = labeler
        kind = labeler.labelKind
    }

    /// The metrics computed for this kind of label.
    public var metrics: [String] { kind == .binary ? ["dice"] : ["spearman", "pearson", "rmse"] }
}

public struct ProbeStudyOptions {
    /// Layers to probe (nil = every layer of the run).
    public var layers: [String]?
    /// UNet call indices to probe (nil = all).
    public var steps: [Int]?
    public var split: DataSplit
    /// Label resolution [H, W] (the studies: the image size, 512×512).
    public var labelHeight: Int
    public var labelWidth: Int
    /// Probe seed (init and shuffles), control permutation seed and bootstrap seed.
    public var seed: UInt64 = 0
    public var bootstrapResamples = 1000
    /// Train the shuffled-label control beside each probe.
    public var shuffledControl = true
    /// Save predicted maps of this many test images …
    public var predictionImages = 2
    /// … for these layers (nil = the last probed layer).
    public var predictionLayers: [String]?

    public init(split: DataSplit, labelHeight: Int, labelWidth: Int) {
        self.split = split
        self.labelHeight = labelHeight
        self.labelWidth = labelWidth
    }
}

/// One saved predicted map (paths relative to the output folder).
public struct PredictionRecord: Codable, Equatable {
    public var property: String
    public var layer: String
    public var step: Int
    public var id: String
    public var path: String
}

public final class ProbeStudy {
    let run: ActivationSource
    let controlRun: ActivationSource?
    let properties: [StudyProperty]
    let probe: ProbePlugin
    let options: ProbeStudyOptions
    let out: URL
    /// Labels [H·W] per property, per id (read once, reused for every layer and step).
    private var labelCache: [String: [String: [Float]]] = [:]

    private let results = ProbeStudyResults()
    public var rows: [MetricRow] { results.rows }
    public var predictions: [PredictionRecord] { results.predictions }
    /// Probe weights per property: "<layer>/step_<s>/weight" → ([outputs, C], values).
    public var weights: [String: [String: (shape: [Int], values: [Float])]] { results.weights }

    public init(run: ActivationSource, properties: [StudyProperty], probe: ProbePlugin, options: ProbeStudyOptions,
                out: URL, controlRun: ActivationSource? = nil) {
        self.run = run
        self.properties = properties
        self.probe = probe
        self.options = options
        self.out = out
        self.controlRun = controlRun
    }

    public var layers: [String] { options.layers ?? run.layers }

    /// Labels computed elsewhere (e.g. from the generated image, in memory): used instead of asking the labeler.
    public func setLabel(property: String, id: String, values: [Float]) {
        labelCache[property, default: [:]][id] = values
    }

    /// The shuffled-label control's derangement of n training images (a single cycle, so no image keeps its own
    /// label, which with few images would leak the true map): train[i] gets the label of train[perm[i]], and
    /// along `order` each image gets the label of the next, order[k] ← order[k+1], the last ← order[0]. Fixed
    /// by the seed, the same for every cell.
    public static func controlDerangement(count n: Int, seed: UInt64) -> (order: [Int], perm: [Int]) {
        var rng = StudyRandom(seed: seed ^ 0x5348_5546_464C_4544)
        let order = rng.permutation(n)
        var perm = Array(0..<n)
        for k in 0..<n { perm[order[k]] = order[(k + 1) % n] }
        return (order, perm)
    }

    public func steps(for layer: String) throws -> [Int] {
        let u = try run.shape(layer: layer)[0]
        return options.steps ?? Array(0..<u)
    }

    /// Runs every (layer, step), writes metrics, weights, predictions, charts and the report; returns the rows.
    @discardableResult
    public func run(log: (String) -> Void = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }) throws -> [MetricRow] {
        for l in layers where !run.layers.contains(l) {
            throw StudyError.invalidArgument("unknown layer '\(l)' (the run has: \(run.layers.joined(separator: ", ")))")
        }
        try AtomicFile.createFolder(out)
        let predictionLayers = options.predictionLayers ?? (layers.last.map { [$0] } ?? [])
        let predictionIDs = Array(options.split.test.prefix(options.predictionImages))
        let controlPerm = ProbeStudy.controlDerangement(count: options.split.train.count, seed: options.seed).perm
        let total = try layers.reduce(0) { $0 + (try steps(for: $1).count) }
        var done = 0
        let start = Date()
        var lastWrite = Date.distantPast
        for layer in layers {
            for step in try steps(for: layer) {
                try probeCell(run: run, layer: layer, step: step, suffix: "", shuffled: nil,
                              predictionIDs: predictionLayers.contains(layer) ? predictionIDs : [])
                if options.shuffledControl {
                    try probeCell(run: run, layer: layer, step: step, suffix: ":shuffled", shuffled: controlPerm,
                                  predictionIDs: [])
                }
                if let c = controlRun {
                    try probeCell(run: c, layer: layer, step: step, suffix: ":permuted", shuffled: nil, predictionIDs: [])
                }
                done += 1
                let per = Date().timeIntervalSince(start) / Double(done)
                log(String(format: "probe: layer %@, step %d (%d/%d), %.1f s/cell, ETA %.0f s", layer, step, done,
                           total, per, per * Double(total - done)))
                // The tables so far, for watching a long study: at most every 10 s (rewriting them after every
                // cell made a study's disk writes grow with the square of its cells).
                if Date().timeIntervalSince(lastWrite) > 10 {
                    try writeTables()
                    lastWrite = Date()
                }
            }
        }
        try baselineRows()
        try writeTables()
        try results.writeWeights(out: out, probe: probe.specText)
        try StudyReport(out: out, rows: rows, predictions: predictions, properties: properties.map { ($0.name, $0.kind) },
                        split: options.split, manifest: run.manifestText ?? "", runPath: run.folder.path,
                        gaps: results.gaps).write()
        return rows
    }

    func label(_ p: StudyProperty, _ id: String) throws -> [Float] {
        if let l = labelCache[p.name]?[id] { return l }
        let l: [Float]
        do {
            l = try p.labeler.load(imageID: id, height: options.labelHeight, width: options.labelWidth)
        } catch {
            throw StudyError.plugin("label '\(p.name)' of image \(id): \(error)")
        }
        labelCache[p.name, default: [:]][id] = l
        return l
    }

    /// Trains and evaluates one probe per property at (layer, step) of `run`.
    func probeCell(run: ActivationSource, layer: String, step: Int, suffix: String, shuffled: [Int]?,
                   predictionIDs: [String]) throws {
        let shape = try run.shape(layer: layer) // [U, C, h, w]
        let C = shape[1], h = shape[2], w = shape[3]
        let H = options.labelHeight, W = options.labelWidth
        var instances: [ProbeInstance] = []
        for p in properties {
            instances.append(try wrap { try probe.instantiate(ProbeSpec(labelKind: p.kind, channels: C, seed: options.seed)) })
        }
        let train = options.split.train
        for (i, id) in train.enumerated() {
            let a = try run.slice(id: id, layer: layer, step: step)
            let labelID = shuffled.map { train[$0[i]] } ?? id
            for (k, p) in properties.enumerated() {
                let l = try label(p, labelID)
                try wrap { try instances[k].addExample(activation: a, activationShape: [C, h, w], label: l, labelShape: [H, W]) }
            }
        }
        for inst in instances { try wrap { try inst.fit() } }
        var measured: [[[String: Double]]] = properties.map { _ in [] }
        for id in options.split.test {
            let a = try run.slice(id: id, layer: layer, step: step)
            for (k, p) in properties.enumerated() {
                let l = try label(p, id)
                let pred = try wrap { try instances[k].predict(activation: a, activationShape: [C, h, w], height: H, width: W) }
                measured[k].append(ProbeStudyResults.measure(kind: p.kind, prediction: pred, label: l))
                if predictionIDs.contains(id) {
                    try results.writePrediction(out: out, property: p, layer: layer, step: step, id: id,
                                                prediction: pred, label: l, height: H, width: W)
                }
            }
        }
        results.appendRows(layer: layer, step: step, suffix: suffix, properties: properties,
                           perImage: ProbeStudyResults.table(properties, measured), options: options)
        for (k, p) in properties.enumerated() {
            try results.recordWeights(instances[k], property: p.name + suffix, layer: layer, step: step, channels: C)
        }
    }

    func wrap<T>(_ body: () throws -> T) throws -> T { try ProbeStudyResults.wrap(body) }

    func writeTables() throws { try results.writeTables(out: out, options: options) }

    /// The `:layout` and `:cap` rows (LayoutBaseline): the training labels' mean map and the token-grid cap,
    /// measured on every test image.
    func baselineRows() throws {
        let grid = LayoutBaseline.finestGrid(try layers.map { try run.shape(layer: $0) })
        var baseline = LayoutBaseline(kinds: properties.map(\.kind), height: options.labelHeight,
                                      width: options.labelWidth, grid: grid)
        for id in options.split.train { baseline.add(try properties.map { try label($0, id) }) }
        var layout: [[[String: Double]]] = properties.map { _ in [] }
        var cap: [[Double?]] = properties.map { _ in [] }
        for id in options.split.test {
            for (k, p) in properties.enumerated() {
                let l = try label(p, id)
                layout[k].append(baseline.measureLayout(k, label: l))
                cap[k].append(p.kind == .binary ? baseline.capDice(label: l) : nil)
            }
        }
        results.appendBaselineRows(properties: properties, layout: ProbeStudyResults.table(properties, layout), cap: cap,
                                   options: options)
    }
}
