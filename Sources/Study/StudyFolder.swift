// A finished study's folder, read back from its files (metrics.csv, per_image_metrics.csv, split.csv, gaps.csv,
// predictions/): to add a control computed by a separate study — the same probes on a run of the UNet with
// permuted weights — as `PROPERTY:NAME` rows, and to rewrite the tables and the report without the activations.
import FileFormats
import Foundation
import PluginHost

public enum StudyFolder {
    /// Appends the probe rows of `controlStudy` (a study of the same split on a control run) to `study` as
    /// `PROPERTY:<name>` rows: per_image_metrics.csv gains its per-image values, metrics.csv is recomputed from it
    /// (the existing rows keep their values and intervals; the new ones get the seeds of their positions),
    /// gaps.csv and report.html are rewritten. Returns the new metric rows.
    @discardableResult
    public static func addControl(_ name: String, from controlStudy: URL, to study: URL, runFolder: URL,
                                  seed: UInt64, resamples: Int) throws -> [MetricRow] {
        guard !name.isEmpty, !name.contains(":"), !name.contains(",") else {
            throw StudyError.invalidArgument("control name '\(name)': must be non-empty, without ':' or ','")
        }
        let split = try readSplit(study), other = try readSplit(controlStudy)
        guard split.test == other.test, split.train == other.train else {
            throw StudyError.invalidArgument("\(controlStudy.path)/split.csv: not the split of \(study.path) "
                                             + "(hint: run the control study with the same --split and seed)")
        }
        var perImage = try PerImageMetric.read(study.appendingPathComponent("per_image_metrics.csv"))
        guard !perImage.contains(where: { $0.control == name }) else {
            throw StudyError.invalidArgument("\(study.path): already holds `:\(name)` rows")
        }
        let added = try PerImageMetric.read(controlStudy.appendingPathComponent("per_image_metrics.csv"))
            .filter { $0.control.isEmpty }
        guard !added.isEmpty else { throw StudyError.badInput("\(controlStudy.path)/per_image_metrics.csv: no probe rows") }
        for var v in added {
            v.control = name
            perImage.append(v)
        }
        let rows = PerImageMetric.aggregate(perImage, seed: seed, resamples: resamples)
        try MetricRow.write(rows, csv: study.appendingPathComponent("metrics.csv"),
                            json: study.appendingPathComponent("metrics.json"))
        try PerImageMetric.write(perImage, to: study.appendingPathComponent("per_image_metrics.csv"))
        let gaps = ControlGap.compute(perImage, seed: seed, resamples: resamples)
        try ControlGap.write(gaps, to: study.appendingPathComponent("gaps.csv"))
        try rewriteReport(study: study, runFolder: runFolder, rows: rows, gaps: gaps, split: split)
        return rows.filter { $0.property.hasSuffix(":" + name) }
    }

    /// Re-analyses a study folder from per_image_metrics.csv and split.csv alone (no activations, no labels):
    /// metrics.csv (means, `resamples` bootstrap intervals seeded with `seed`), gaps.csv and report.html are
    /// rewritten. Returns the metric rows.
    @discardableResult
    public static func reanalyse(study: URL, runFolder: URL, seed: UInt64, resamples: Int) throws -> [MetricRow] {
        let perImage = try PerImageMetric.read(study.appendingPathComponent("per_image_metrics.csv"))
        let split = try readSplit(study)
        let rows = PerImageMetric.aggregate(perImage, seed: seed, resamples: resamples)
        try MetricRow.write(rows, csv: study.appendingPathComponent("metrics.csv"),
                            json: study.appendingPathComponent("metrics.json"))
        let gaps = ControlGap.compute(perImage, seed: seed, resamples: resamples)
        try ControlGap.write(gaps, to: study.appendingPathComponent("gaps.csv"))
        try rewriteReport(study: study, runFolder: runFolder, rows: rows, gaps: gaps, split: split)
        return rows
    }

    /// report.html (and plots/) from the folder's files: properties and kinds from metrics.csv (a property with a
    /// dice row is binary), predictions from predictions/<property>/<layer>/step_<s>_<id>.png.
    public static func rewriteReport(study: URL, runFolder: URL) throws {
        try rewriteReport(study: study, runFolder: runFolder,
                          rows: try MetricRow.read(csv: study.appendingPathComponent("metrics.csv")),
                          gaps: try ControlGap.read(study.appendingPathComponent("gaps.csv")), split: try readSplit(study))
    }

    static func rewriteReport(study: URL, runFolder: URL, rows: [MetricRow], gaps: [ControlGap], split: DataSplit) throws {
        var properties: [(String, LabelKind)] = []
        for r in rows where !r.property.contains(":") && !properties.contains(where: { $0.0 == r.property }) {
            properties.append((r.property, rows.contains { $0.property == r.property && $0.metric == "dice" } ? .binary : .continuous))
        }
        let manifest = (try? String(contentsOf: runFolder.appendingPathComponent("manifest.json"), encoding: .utf8)) ?? ""
        try StudyReport(out: study, rows: rows, predictions: predictions(study, properties.map(\.0)),
                        properties: properties, split: split, manifest: manifest, runPath: runFolder.path,
                        gaps: gaps).write()
    }

    /// The split recorded in split.csv (columns image, split).
    public static func readSplit(_ study: URL) throws -> DataSplit {
        let url = study.appendingPathComponent("split.csv")
        var train: [String] = [], test: [String] = []
        for (line, f) in try StudyCSV.read(url, header: ["image", "split"]) {
            switch f[1] {
            case "train": train.append(f[0])
            case "test": test.append(f[0])
            default: throw StudyError.badInput("\(url.path) line \(line): split '\(f[1])' is neither train nor test")
            }
        }
        return DataSplit(train: train, test: test, description: "split.csv of \(study.lastPathComponent)")
    }

    /// The saved predicted maps, sorted by property, layer, step and image.
    static func predictions(_ study: URL, _ properties: [String]) -> [PredictionRecord] {
        let fm = FileManager.default
        var out: [PredictionRecord] = []
        for p in properties {
            let base = study.appendingPathComponent("predictions/\(p)")
            for layer in ((try? fm.contentsOfDirectory(atPath: base.path)) ?? []).sorted() {
                for file in ((try? fm.contentsOfDirectory(atPath: base.appendingPathComponent(layer).path)) ?? []).sorted() {
                    guard file.hasPrefix("step_"), file.hasSuffix(".png") else { continue }
                    let rest = file.dropFirst(5).dropLast(4)
                    guard let cut = rest.firstIndex(of: "_"), let step = Int(rest[..<cut]) else { continue }
                    out.append(PredictionRecord(property: p, layer: layer, step: step, id: String(rest[rest.index(after: cut)...]),
                                                path: "predictions/\(p)/\(layer)/\(file)"))
                }
            }
        }
        return out.sorted { ($0.property, $0.layer, $0.step, $0.id) < ($1.property, $1.layer, $1.step, $1.id) }
    }
}
