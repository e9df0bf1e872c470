// One test image's value of one metric in one cell: the rows of per_image_metrics.csv
//   property,control,layer,step,image,metric,value
// control is empty for the probe itself, else the suffix of the metrics.csv row (`shuffled`, `permuted`, `layout`,
// `cap`). Every metrics.csv row has one line per test image, in split.test order, in the order of metrics.csv;
// an undefined value (a correlation of a constant map) is an empty field and is left out of the mean, as the study
// leaves it out. So metrics.csv can be recomputed from this file alone (`aggregate`), intervals included.
import FileFormats
import Foundation

public struct PerImageMetric: Equatable {
    public var property: String
    public var control: String
    public var layer: String
    public var step: Int
    public var image: String
    public var metric: String
    /// nil: undefined for this image.
    public var value: Double?

    public init(property: String, control: String, layer: String, step: Int, image: String, metric: String,
                value: Double?) {
        self.property = property
        self.control = control
        self.layer = layer
        self.step = step
        self.image = image
        self.metric = metric
        self.value = value
    }

    /// The metrics.csv property of this value: `depth`, or `depth:shuffled` for a control.
    public var rowProperty: String { control.isEmpty ? property : property + ":" + control }

    static let header = ["property", "control", "layer", "step", "image", "metric", "value"]

    var fields: [String] {
        [property, control, layer, String(step), image, metric, value.map(num) ?? ""]
    }

    public static func write(_ rows: [PerImageMetric], to url: URL) throws {
        try StudyCSV.write(header: header, rows: rows.map(\.fields), to: url)
    }

    /// Reads a per_image_metrics.csv written by `write`.
    public static func read(_ url: URL) throws -> [PerImageMetric] {
        try StudyCSV.read(url, header: header).map { line, f in
            guard let step = Int(f[3]) else {
                throw StudyError.badInput("\(url.path) line \(line): step '\(f[3])' is not an integer")
            }
            let value: Double?
            if f[6].isEmpty { value = nil } else if let v = Double(f[6]) { value = v } else {
                throw StudyError.badInput("\(url.path) line \(line): value '\(f[6])' is not a number")
            }
            return PerImageMetric(property: f[0], control: f[1], layer: f[2], step: step, image: f[4], metric: f[5],
                                  value: value)
        }
    }

    /// metrics.csv recomputed from the per-image values alone: one row per (property, control, layer, step,
    /// metric) in order of first appearance, the mean of its defined values with the bootstrap interval the study
    /// draws for that row (`seed` and `resamples` as the study's options).
    public static func aggregate(_ values: [PerImageMetric], seed: UInt64, resamples: Int) -> [MetricRow] {
        struct Key: Hashable { let property: String, layer: String, step: Int, metric: String }
        var order: [Key] = []
        var groups: [Key: [Double]] = [:]
        for v in values {
            let k = Key(property: v.rowProperty, layer: v.layer, step: v.step, metric: v.metric)
            if groups[k] == nil { order.append(k); groups[k] = [] }
            if let x = v.value { groups[k]!.append(x) }
        }
        return order.enumerated().map { index, k in
            let ci = Bootstrap.meanInterval(groups[k] ?? [], resamples: resamples,
                                            seed: rowSeed(seed, step: k.step, index: index))
            return MetricRow(layer: k.layer, step: k.step, property: k.property, metric: k.metric, interval: ci)
        }
    }

    /// The bootstrap seed of the index-th metrics row (step −1: a control that holds at every cell).
    static func rowSeed(_ seed: UInt64, step: Int, index: Int) -> UInt64 {
        seed &+ UInt64(bitPattern: Int64(step)) &* 1_000_003 &+ UInt64(index)
    }
}
