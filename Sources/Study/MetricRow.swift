// The study's result table: one row per (layer, step, property, metric), written as metrics.csv and
// metrics.json with the columns layer, step, property, metric, value, ci_low, ci_high, n. Controls appear as
// properties named `<property>:shuffled` (shuffled training labels) and `<property>:permuted` (a run of the
// UNet with permuted weights); references that use no activations — `<property>:layout` (the training labels'
// mean map) and `<property>:cap` (the token-grid cap of a binary label) — have layer "" and step −1: they hold
// at every cell. Each row's per-image values are in per_image_metrics.csv (PerImageMetric).
import FileFormats
import Foundation

public struct MetricRow: Codable, Equatable {
    public var layer: String
    public var step: Int
    public var property: String
    public var metric: String
    public var value: Double
    public var ci_low: Double
    public var ci_high: Double
    public var n: Int

    public init(layer: String, step: Int, property: String, metric: String, interval: MeanInterval) {
        self.layer = layer
        self.step = step
        self.property = property
        self.metric = metric
        value = interval.value
        ci_low = interval.low
        ci_high = interval.high
        n = interval.n
    }

    static let header = ["layer", "step", "property", "metric", "value", "ci_low", "ci_high", "n"]

    var fields: [String] {
        [layer, String(step), property, metric, num(value), num(ci_low), num(ci_high), String(n)]
    }

    /// Writes rows as CSV and JSON (NaN as empty / null), atomically.
    public static func write(_ rows: [MetricRow], csv: URL, json: URL) throws {
        try StudyCSV.write(header: header, rows: rows.map(\.fields), to: csv)
        let objects = rows.map { r -> String in
            "{\"layer\":\(jsonString(r.layer)),\"step\":\(r.step),\"property\":\(jsonString(r.property)),"
                + "\"metric\":\(jsonString(r.metric)),\"value\":\(jnum(r.value)),\"ci_low\":\(jnum(r.ci_low)),"
                + "\"ci_high\":\(jnum(r.ci_high)),\"n\":\(r.n)}"
        }
        try AtomicFile.write("[\n" + objects.joined(separator: ",\n") + "\n]\n", to: json)
    }

    /// Reads a metrics.csv written by `write`. Errors name the file and line (an empty value reads as NaN).
    public static func read(csv: URL) throws -> [MetricRow] {
        try StudyCSV.read(csv, header: header).map { line, f in
            guard let step = Int(f[1]), let n = Int(f[7]) else {
                throw StudyError.badInput("\(csv.path):\(line): step '\(f[1])' and n '\(f[7])' must be integers "
                    + "(re-run the study to rewrite the table)")
            }
            return MetricRow(layer: f[0], step: step, property: f[2], metric: f[3],
                             interval: MeanInterval(value: Double(f[4]) ?? .nan, low: Double(f[5]) ?? .nan,
                                                    high: Double(f[6]) ?? .nan, n: n))
        }
    }
}

func num(_ v: Double) -> String { v.isFinite ? String(v) : "" }
func jnum(_ v: Double) -> String { v.isFinite ? String(v) : "null" }

func jsonString(_ s: String) -> String { JSONText.quoted(s) }
