// The per-step classification results, their summary over the dataset, and the files they are written to:
//   classification.csv                one row per (image, kind, call): top-1, target probability and rank, top-k
//   classification.json               everything, plus the summary per kind: first call with top-1 = target
//                                     (per image, and its distribution), mean target probability and top-1/top-k
//                                     accuracy per call
//   target_probability_<kind>.svg     target-class probability against call, one line per image (≤ 19) + mean
//   accuracy_<kind>.svg               share of images with the target at top-1 / in the top-k, per call
import FileFormats
import Foundation

public struct StepClassificationReport: Codable {
    public struct Call: Codable {
        /// 0-based UNet call (the study's "step").
        public var call: Int
        public var top: [RankedClass]
        public var targetProbability: Float?
        /// 1 = top-1.
        public var targetRank: Int?
    }

    public struct ImageResult: Codable {
        public var id: String
        public var prompt: String
        public var target: Int?
        public var targetLabel: String?
        /// kind → one entry per call.
        public var kinds: [String: [Call]]

        /// First call whose top-1 is the target (nil: never, or no target).
        public func firstCorrectCall(_ kind: String) -> Int? {
            guard let t = target else { return nil }
            return kinds[kind]?.first { $0.top.first?.index == t }?.call
        }

        /// First call from which the top-1 stays the target to the end.
        public func stableCorrectCall(_ kind: String) -> Int? {
            guard let t = target, let calls = kinds[kind], calls.last?.top.first?.index == t else { return nil }
            var first = calls.count - 1
            while first > 0 && calls[first - 1].top.first?.index == t { first -= 1 }
            return calls[first].call
        }
    }

    public struct KindSummary: Codable {
        public var kind: String
        /// Images with a target.
        public var imagesWithTarget: Int
        /// call (as text) → images whose first correct call it is; "never" → the rest.
        public var firstCorrectHistogram: [String: Int]
        public var firstCorrectMean: Double?
        public var firstCorrectMedian: Double?
        /// Same, for the call from which top-1 stays correct.
        public var stableCorrectHistogram: [String: Int]
        /// Per call: mean target probability, share top-1 correct, share in top-k.
        public var meanTargetProbability: [Double]
        public var top1Accuracy: [Double]
        public var topKAccuracy: [Double]
    }

    public var classifier: String
    public var kinds: [String]
    public var top: Int
    public var images: [ImageResult]
    public var summary: [KindSummary] = []

    public init(classifier: String, kinds: [String], top: Int, images: [ImageResult]) {
        self.classifier = classifier
        self.kinds = kinds
        self.top = top
        self.images = images
        self.summary = kinds.map(summarize)
    }

    func summarize(_ kind: String) -> KindSummary {
        let targeted = images.filter { $0.target != nil && $0.kinds[kind] != nil }
        let calls = targeted.map { $0.kinds[kind]!.count }.max() ?? 0
        func histogram(_ f: (ImageResult) -> Int?) -> [String: Int] {
            var h: [String: Int] = [:]
            for im in targeted { h[f(im).map(String.init) ?? "never", default: 0] += 1 }
            return h
        }
        let firsts = targeted.compactMap { $0.firstCorrectCall(kind) }.map(Double.init).sorted()
        var meanP: [Double] = [], top1: [Double] = [], topK: [Double] = []
        for c in 0..<calls {
            let at = targeted.compactMap { im -> Call? in
                let cs = im.kinds[kind]!
                return c < cs.count ? cs[c] : nil
            }
            let n = Double(max(1, at.count))
            meanP.append(at.reduce(0) { $0 + Double($1.targetProbability ?? 0) } / n)
            top1.append(Double(at.filter { $0.targetRank == 1 }.count) / n)
            topK.append(Double(at.filter { ($0.targetRank ?? Int.max) <= top }.count) / n)
        }
        return KindSummary(
            kind: kind, imagesWithTarget: targeted.count,
            firstCorrectHistogram: histogram { $0.firstCorrectCall(kind) },
            firstCorrectMean: firsts.isEmpty ? nil : firsts.reduce(0, +) / Double(firsts.count),
            firstCorrectMedian: firsts.isEmpty ? nil : (firsts[(firsts.count - 1) / 2] + firsts[firsts.count / 2]) / 2,
            stableCorrectHistogram: histogram { $0.stableCorrectCall(kind) },
            meanTargetProbability: meanP, top1Accuracy: top1, topKAccuracy: topK)
    }

    /// CSV text (header + one row per image, kind and call).
    public func csv() -> String {
        var s = "id,prompt,target,target_label,kind,call,top1_index,top1_label,top1_probability,"
            + "target_probability,target_rank,top\(top)_labels,top\(top)_probabilities\n"
        for im in images {
            for kind in kinds {
                for c in im.kinds[kind] ?? [] {
                    let t1 = c.top.first
                    let cols: [String] = [
                        im.id, im.prompt, im.target.map(String.init) ?? "", im.targetLabel ?? "", kind,
                        String(c.call), t1.map { String($0.index) } ?? "", t1?.label ?? "",
                        t1.map { String(format: "%.6g", Double($0.probability)) } ?? "",
                        c.targetProbability.map { String(format: "%.6g", Double($0)) } ?? "",
                        c.targetRank.map(String.init) ?? "",
                        c.top.map(\.label).joined(separator: "|"),
                        c.top.map { String(format: "%.6g", Double($0.probability)) }.joined(separator: "|"),
                    ]
                    s += CSVWriter.record(cols)
                }
            }
        }
        return s
    }

    /// Line charts per kind (SVG text by file name).
    public func charts() -> [String: String] {
        var out: [String: String] = [:]
        for kind in kinds {
            guard let sum = summary.first(where: { $0.kind == kind }), sum.imagesWithTarget > 0 else { continue }
            var series: [SVGLineChart.Series] = []
            for im in images.filter({ $0.target != nil }).prefix(19) {
                let pts = (im.kinds[kind] ?? []).map {
                    SVGLineChart.Point(x: Double($0.call), y: Double($0.targetProbability ?? 0), low: nil, high: nil)
                }
                series.append(SVGLineChart.Series(name: "\(im.id) (\(im.targetLabel ?? ""))", points: pts))
            }
            series.append(SVGLineChart.Series(name: "mean of \(sum.imagesWithTarget)", points:
                sum.meanTargetProbability.enumerated().map { SVGLineChart.Point(x: Double($0.offset), y: $0.element,
                                                                                low: nil, high: nil) }))
            out["target_probability_\(kind).svg"] = SVGLineChart(
                title: "\(classifier): target-class probability of decoded \(kind) per step",
                xLabel: "step (0-based UNet call)", yLabel: "probability", series: series, yRange: 0...1).render()
            func line(_ name: String, _ v: [Double]) -> SVGLineChart.Series {
                SVGLineChart.Series(name: name, points: v.enumerated().map {
                    SVGLineChart.Point(x: Double($0.offset), y: $0.element, low: nil, high: nil) })
            }
            out["accuracy_\(kind).svg"] = SVGLineChart(
                title: "\(classifier): target at top-1 / in top-\(top), decoded \(kind)",
                xLabel: "step (0-based UNet call)", yLabel: "share of images",
                series: [line("top-1", sum.top1Accuracy), line("top-\(top)", sum.topKAccuracy)], yRange: 0...1).render()
        }
        return out
    }

    /// Writes classification.csv, classification.json and the charts into `folder` (created if needed).
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try AtomicFile.write(csv(), to: folder.appendingPathComponent("classification.csv"))
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try e.encode(self), to: folder.appendingPathComponent("classification.json"))
        for (name, svg) in charts() { try AtomicFile.write(svg, to: folder.appendingPathComponent(name)) }
    }
}
