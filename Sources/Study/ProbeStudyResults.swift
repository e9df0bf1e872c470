// What a probing study accumulates and writes: metric rows (each a per-test-image mean with its bootstrap
// interval), predicted maps and probe weights. Shared by ProbeStudy (cell by cell, activations from disk or
// memory) and StreamingProbeStudy (image by image, in one pass), so that both give the same tables: rows are
// appended in the same order (layer, step, then the probe, :shuffled, :permuted) and each interval's bootstrap
// seed is the study seed, the step and the row's position.
import FileFormats
import Foundation
import PluginHost

final class ProbeStudyResults {
    var rows: [MetricRow] = []
    /// The values behind `rows`, one per test image (per_image_metrics.csv).
    var perImage: [PerImageMetric] = []
    /// The probe's gaps over its controls (gaps.csv), computed when the tables are written.
    var gaps: [ControlGap] = []
    var predictions: [PredictionRecord] = []
    /// Probe weights per property: "<layer>/step_<s>/weight" → ([outputs, C], values).
    var weights: [String: [String: (shape: [Int], values: [Float])]] = [:]

    /// One test image's metric values for a property of `kind` (metric → value; an undefined correlation of a
    /// constant map is left out).
    static func measure(kind: LabelKind, prediction: [Float], label: [Float]) -> [String: Double] {
        if kind == .binary { return ["dice": Metrics.dice(logits: prediction, label: label)] }
        var v = ["rmse": Metrics.rmse(prediction, label)]
        if let s = Metrics.spearman(prediction, label) { v["spearman"] = s }
        if let r = Metrics.pearson(prediction, label) { v["pearson"] = r }
        return v
    }

    /// One row per property and metric of a cell: the mean of its per-image values with a bootstrap interval.
    /// `perImage[k][metric]` holds one value per test image in split.test order (nil: undefined, left out).
    func appendRows(layer: String, step: Int, suffix: String, properties: [StudyProperty],
                    perImage: [[String: [Double?]]], options: ProbeStudyOptions) {
        let control = suffix.hasPrefix(":") ? String(suffix.dropFirst()) : suffix
        for (k, p) in properties.enumerated() {
            for m in p.metrics {
                let values = perImage[k][m] ?? []
                for (id, v) in zip(options.split.test, values) {
                    self.perImage.append(PerImageMetric(property: p.name, control: control, layer: layer, step: step,
                                                        image: id, metric: m, value: v))
                }
                let seed = PerImageMetric.rowSeed(options.seed, step: step, index: rows.count)
                let ci = Bootstrap.meanInterval(values.compactMap { $0 }, resamples: options.bootstrapResamples, seed: seed)
                rows.append(MetricRow(layer: layer, step: step, property: p.name + suffix, metric: m, interval: ci))
            }
        }
    }

    /// The `:layout` rows of every property and the `:cap` rows of binary ones (layer "", step −1: they hold at
    /// every cell), from per-image values [property][metric] in split.test order.
    func appendBaselineRows(properties: [StudyProperty], layout: [[String: [Double?]]], cap: [[Double?]],
                            options: ProbeStudyOptions) {
        appendRows(layer: "", step: -1, suffix: ":layout", properties: properties, perImage: layout, options: options)
        let binary = properties.indices.filter { properties[$0].kind == .binary && cap[$0].contains { $0 != nil } }
        appendRows(layer: "", step: -1, suffix: ":cap", properties: binary.map { properties[$0] },
                   perImage: binary.map { ["dice": cap[$0]] }, options: options)
    }

    /// Per property, its metrics' values in test order from one measurement per test image.
    static func table(_ properties: [StudyProperty], _ measured: [[[String: Double]]]) -> [[String: [Double?]]] {
        properties.indices.map { k in
            Dictionary(uniqueKeysWithValues: properties[k].metrics.map { m in (m, measured[k].map { $0[m] }) })
        }
    }

    /// Keeps a fitted probe's weights under "<layer>/step_<s>/weight" (and "/bias") of `property`.
    func recordWeights(_ instance: ProbeInstance, property: String, layer: String, step: Int, channels: Int) throws {
        let (wt, b) = try ProbeStudyResults.wrap { try instance.weights() }
        var set = weights[property] ?? [:]
        set["\(layer)/step_\(step)/weight"] = ([instance.spec.outputs, channels], wt)
        if !b.isEmpty { set["\(layer)/step_\(step)/bias"] = ([b.count], b) }
        weights[property] = set
    }

    /// Writes predictions/<property>/<layer>/step_<s>_<id>.png (and the label's PNG once) and records it.
    func writePrediction(out: URL, property p: StudyProperty, layer: String, step: Int, id: String,
                         prediction: [Float], label: [Float], height H: Int, width W: Int) throws {
        let rel = "predictions/\(p.name)/\(layer)/step_\(step)_\(id).png"
        try PredictionImage.write(prediction: prediction, label: label, kind: p.kind, height: H, width: W,
                                  to: SafePath.join(out, rel, what: "prediction of label '\(p.name)'"))
        predictions.append(PredictionRecord(property: p.name, layer: layer, step: step, id: id, path: rel))
        let labelURL = try SafePath.join(out, "predictions/\(p.name)/label_\(id).png", what: "label image of '\(p.name)'")
        if !FileManager.default.fileExists(atPath: labelURL.path) {
            try PredictionImage.writeLabel(label, kind: p.kind, height: H, width: W, to: labelURL)
        }
    }

    /// metrics.csv/json, per_image_metrics.csv, split.csv (id, split) and gaps.csv.
    func writeTables(out: URL, options: ProbeStudyOptions) throws {
        let split = options.split
        try MetricRow.write(rows, csv: out.appendingPathComponent("metrics.csv"),
                            json: out.appendingPathComponent("metrics.json"))
        try PerImageMetric.write(perImage, to: out.appendingPathComponent("per_image_metrics.csv"))
        try StudyCSV.write(header: ["image", "split"], rows: split.train.map { [$0, "train"] } + split.test.map { [$0, "test"] },
                           to: out.appendingPathComponent("split.csv"))
        gaps = ControlGap.compute(perImage, seed: options.seed, resamples: options.bootstrapResamples)
        try ControlGap.write(gaps, to: out.appendingPathComponent("gaps.csv"))
    }

    func writeWeights(out: URL, probe: String) throws {
        for (name, tensors) in weights {
            try SafetensorsWriter.write(tensors, metadata: ["probe": probe, "property": name],
                                        to: SafePath.join(out, "probes/\(name.replacingOccurrences(of: ":", with: "_")).safetensors",
                                                          what: "probe weights of label '\(name)'"))
        }
    }

    /// Runs a plugin call, turning its error into StudyError.plugin.
    static func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StudyError { throw e } catch { throw StudyError.plugin("\(error)") }
    }
}
