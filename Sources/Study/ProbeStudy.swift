// ProbeStudy: the probing study over a run — for every (layer, step) and property, one probe trained on the
// training images' activations and labels, evaluated on the held-out images with the property's metrics
// (binary: Dice; continuous: Spearman, Pearson, RMSE), each a per-image mean with a seeded bootstrap interval.
// Controls beside each probe: the same probe trained on labels permuted across training images (`:shuffled`),
// and, given a run of the UNet with permuted weights, the same study on it (`:permuted`).
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
    let run: RunActivations
    let controlRun: RunActivations?
    let properties: [StudyProperty]
    let probe: ProbePlugin
    let options: ProbeStudyOptions
    let out: URL
    /// Labels [H·W] per property, per id (read once, reused for every layer and step).
    private var labelCache: [String: [String: [Float]]] = [:]

    public private(set) var rows: [MetricRow] = []
    public private(set) var predictions: [PredictionRecord] = []
    /// Probe weights per property: "<layer>/step_<s>/weight" → ([outputs, C], values).
    public private(set) var weights: [String: [String: (shape: [Int], values: [Float])]] = [:]

    public init(run: RunActivations, properties: [StudyProperty], probe: ProbePlugin, options: ProbeStudyOptions,
                out: URL, controlRun: RunActivations? = nil) {
        self.run = run
        self.properties = properties
        self.probe = probe
        self.options = options
        self.out = out
        self.controlRun = controlRun
    }

    public var layers: [String] { options.layers ?? run.layers }

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
        // The shuffled-label control: a seeded derangement (no image keeps its own label, which with few images
        // would leak the true map), fixed across cells — image perm[k] gets the label of image perm[k+1].
        var rng = StudyRandom(seed: options.seed ^ 0x5348_5546_464C_4544)
        let order = rng.permutation(options.split.train.count)
        var controlPerm = Array(0..<order.count)
        for k in 0..<order.count { controlPerm[order[k]] = order[(k + 1) % order.count] }
        let total = try layers.reduce(0) { $0 + (try steps(for: $1).count) }
        var done = 0
        let start = Date()
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
                try writeTables()
            }
        }
        try writeWeights()
        try StudyReport(out: out, rows: rows, predictions: predictions, properties: properties.map { ($0.name, $0.kind) },
                        split: options.split, manifest: run.manifestText ?? "", runPath: run.folder.path).write()
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
    func probeCell(run: RunActivations, layer: String, step: Int, suffix: String, shuffled: [Int]?,
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
        var perImage: [[String: [Double]]] = properties.map { _ in [:] }
        for id in options.split.test {
            let a = try run.slice(id: id, layer: layer, step: step)
            for (k, p) in properties.enumerated() {
                let l = try label(p, id)
                let pred = try wrap { try instances[k].predict(activation: a, activationShape: [C, h, w], height: H, width: W) }
                if p.kind == .binary {
                    perImage[k]["dice", default: []].append(Metrics.dice(logits: pred, label: l))
                } else {
                    if let s = Metrics.spearman(pred, l) { perImage[k]["spearman", default: []].append(s) }
                    if let r = Metrics.pearson(pred, l) { perImage[k]["pearson", default: []].append(r) }
                    perImage[k]["rmse", default: []].append(Metrics.rmse(pred, l))
                }
                if predictionIDs.contains(id) {
                    let rel = "predictions/\(p.name)/\(layer)/step_\(step)_\(id).png"
                    try PredictionImage.write(prediction: pred, label: l, kind: p.kind, height: H, width: W,
                                              to: out.appendingPathComponent(rel))
                    predictions.append(PredictionRecord(property: p.name, layer: layer, step: step, id: id, path: rel))
                    let labelRel = "predictions/\(p.name)/label_\(id).png"
                    if !FileManager.default.fileExists(atPath: out.appendingPathComponent(labelRel).path) {
                        try PredictionImage.writeLabel(l, kind: p.kind, height: H, width: W, to: out.appendingPathComponent(labelRel))
                    }
                }
            }
        }
        for (k, p) in properties.enumerated() {
            for m in p.metrics {
                let values = perImage[k][m] ?? []
                let seed = options.seed &+ UInt64(step) &* 1_000_003 &+ UInt64(rows.count)
                let ci = Bootstrap.meanInterval(values, resamples: options.bootstrapResamples, seed: seed)
                rows.append(MetricRow(layer: layer, step: step, property: p.name + suffix, metric: m, interval: ci))
            }
            let (wt, b) = try wrap { try instances[k].weights() }
            var wset = weights[p.name + suffix] ?? [:]
            wset["\(layer)/step_\(step)/weight"] = ([instances[k].spec.outputs, C], wt)
            if !b.isEmpty { wset["\(layer)/step_\(step)/bias"] = ([b.count], b) }
            weights[p.name + suffix] = wset
        }
    }

    func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StudyError { throw e } catch { throw StudyError.plugin("\(error)") }
    }

    func writeTables() throws {
        try MetricRow.write(rows, csv: out.appendingPathComponent("metrics.csv"),
                            json: out.appendingPathComponent("metrics.json"))
    }

    func writeWeights() throws {
        for (name, tensors) in weights {
            try SafetensorsWriter.write(tensors, metadata: ["probe": probe.name, "property": name],
                                        to: out.appendingPathComponent("probes/\(name.replacingOccurrences(of: ":", with: "_")).safetensors"))
        }
    }
}
