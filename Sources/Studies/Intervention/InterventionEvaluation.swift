// "Measured, not shown": an intervention scored over a set of images. Per image, the labeler's reading of the
// plain, intervened and random-direction control images against the target (IoU of foreground masks, or Spearman
// of depth maps) and the probes' own reading; over the set, each series' mean with a bootstrap interval
// (Study.Bootstrap, 95 %), its median, the paired differences intervened − original and intervened − control,
// and the time of an intervened (and control) image against plain generation.
// Written as <out>/evaluation.csv (one row per image), evaluation.json (summary + rows) and a report section.
import FileFormats
import Foundation
import Pipeline
import Study

public struct InterventionEvaluation: Codable {
    /// One image.
    public struct Row: Codable {
        public var id: String
        public var prompt: String
        public var seed: UInt64?
        /// The labeler's score of the plain ("original"), intervened and control images (nan when undefined).
        public var original: Double
        public var intervened: Double
        public var control: Double
        public var probeOriginal: Double
        public var probeIntervened: Double
        public var probeControl: Double
        public var secondsPlain: Double
        public var secondsIntervened: Double
        public var secondsEditing: Double
        public var secondsControl: Double
        public var note: String?
    }

    /// One quantity over the images: mean with its bootstrap interval, median, and for differences the fraction
    /// of images where it is > 0.
    public struct Series: Codable {
        public var name: String
        public var n: Int
        public var mean: Double
        public var low: Double
        public var high: Double
        public var median: Double
        public var fractionPositive: Double?
    }

    public var property: String
    public var kind: String
    public var labeler: String?
    /// "iou" or "spearman" (higher is better for both); the probe series use the runner's score (IoU, or mean
    /// absolute error for continuous probes: lower is better).
    public var metric: String?
    public var target: String
    public var images: Int
    public var bootstrapResamples: Int
    public var level: Double
    public var series: [Series]
    public var rows: [Row]

    /// The labeler's score of one label [H, W] against the target: IoU of the masks (binary) or Spearman rank
    /// correlation of the maps (continuous; nan for a constant map).
    public static func score(label: [Float], target: [Float], binary: Bool) -> Double {
        guard label.count == target.count, !label.isEmpty else { return .nan }
        if binary { return InterventionTarget.iou(label, target) }
        return Metrics.spearman(label, target) ?? .nan
    }

    public init(reports: [InterventionImageReport], resamples: Int = 1000, seed: UInt64 = 0, level: Double = 0.95) {
        let first = reports.first
        property = first?.property ?? ""
        kind = first?.kind ?? ""
        labeler = first?.labelerScores?.labeler
        metric = first?.labelerScores?.metric
        target = first.map { $0.target.replacingOccurrences(of: $0.id, with: "<id>") } ?? ""
        images = reports.count
        bootstrapResamples = resamples
        self.level = level
        rows = reports.map { r in
            let l = r.labelerScores
            let undefined = l?.note != nil
            func v(_ x: Double?) -> Double { undefined ? .nan : (x ?? .nan) }
            return Row(id: r.id, prompt: r.prompt, seed: r.seed, original: v(l?.plain), intervened: v(l?.intervened),
                       control: v(l?.control), probeOriginal: r.scorePlain, probeIntervened: r.scoreIntervened,
                       probeControl: r.scoreControl ?? .nan, secondsPlain: r.secondsPlain,
                       secondsIntervened: r.secondsIntervened, secondsEditing: r.secondsEditing,
                       secondsControl: r.secondsControl ?? .nan, note: l?.note)
        }
        var series: [Series] = []
        func add(_ name: String, _ values: [Double], difference: Bool = false) {
            let v = values.filter(\.isFinite)
            guard !v.isEmpty else { return }
            let ci = Bootstrap.meanInterval(v, resamples: resamples, seed: seed &+ UInt64(series.count), level: level)
            series.append(Series(name: name, n: v.count, mean: ci.value, low: ci.low, high: ci.high,
                                 median: Bootstrap.percentile(v.sorted(), 50),
                                 fractionPositive: difference ? Double(v.filter { $0 > 0 }.count) / Double(v.count) : nil))
        }
        if let metric {
            add("\(metric) original", rows.map(\.original))
            add("\(metric) intervened", rows.map(\.intervened))
            add("\(metric) control", rows.map(\.control))
            add("\(metric) intervened − original", rows.map { $0.intervened - $0.original }, difference: true)
            add("\(metric) intervened − control", rows.map { $0.intervened - $0.control }, difference: true)
        }
        let probeMetric = kind == "binary" ? "probe iou" : "probe mae"
        add("\(probeMetric) original", rows.map(\.probeOriginal))
        add("\(probeMetric) intervened", rows.map(\.probeIntervened))
        add("\(probeMetric) control", rows.map(\.probeControl))
        add("seconds plain", rows.map(\.secondsPlain))
        add("seconds intervened", rows.map(\.secondsIntervened))
        add("seconds control", rows.map(\.secondsControl))
        add("time ratio intervened / plain", rows.map { $0.secondsIntervened / $0.secondsPlain })
        self.series = series
    }

    public func named(_ name: String) -> Series? { series.first { $0.name == name } }

    /// Writes evaluation.csv and evaluation.json into `folder`.
    public func write(to folder: URL) throws {
        try AtomicFile.write(csv(), to: folder.appendingPathComponent("evaluation.csv"))
        try AtomicFile.write(try Self.json(self), to: folder.appendingPathComponent("evaluation.json"))
    }

    public func csv() -> String {
        func f(_ v: Double) -> String { v.isFinite ? String(format: "%.6g", v) : "nan" }
        var s = "id,prompt,seed,labeler_original,labeler_intervened,labeler_control,intervened_minus_original,"
            + "intervened_minus_control,probe_original,probe_intervened,probe_control,seconds_plain,seconds_intervened,"
            + "seconds_editing,seconds_control,time_ratio,note\n"
        for r in rows {
            let cells = [r.id, r.prompt, r.seed.map(String.init) ?? "", f(r.original), f(r.intervened), f(r.control),
                         f(r.intervened - r.original), f(r.intervened - r.control), f(r.probeOriginal),
                         f(r.probeIntervened), f(r.probeControl), f(r.secondsPlain), f(r.secondsIntervened),
                         f(r.secondsEditing), f(r.secondsControl), f(r.secondsIntervened / r.secondsPlain), r.note ?? ""]
            s += CSVWriter.record(cells)
        }
        return s
    }

    /// The report section: the summary table.
    public func markdown() -> String {
        func f(_ v: Double) -> String { v.isFinite ? String(format: "%.3f", v) : "–" }
        var s = "## Evaluation over \(images) image(s)\n\n"
        if let labeler, let metric {
            s += "Scored by labeler `\(labeler)`: \(metric == "iou" ? "IoU of its foreground mask" : "Spearman correlation of its map")"
                + " with the target (higher is better). Target: \(target).  \n"
        } else {
            s += "No labeler given (--eval-labeler): only the probes' own reading is scored.  \n"
        }
        s += "Control: each edit replaced by a random direction of the same norm. Means with \(Int(level * 100)) % "
            + "bootstrap intervals (\(bootstrapResamples) resamples); differences are paired per image.\n\n"
        s += "| quantity | n | mean | \(Int(level * 100)) % CI | median | fraction > 0 |\n|---|---|---|---|---|---|\n"
        for x in series {
            s += "| \(x.name) | \(x.n) | \(f(x.mean)) | [\(f(x.low)), \(f(x.high))] | \(f(x.median)) | "
                + (x.fractionPositive.map { f($0) } ?? "") + " |\n"
        }
        let undefined = rows.filter { $0.note != nil }
        if !undefined.isEmpty {
            s += "\n\(undefined.count) image(s) left out of the labeler series: "
                + undefined.prefix(5).map { "\($0.id) (\($0.note!))" }.joined(separator: ", ")
                + (undefined.count > 5 ? ", …" : "") + "\n"
        }
        return s
    }

    public static func json<T: Encodable>(_ value: T) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try enc.encode(value)
    }
}
