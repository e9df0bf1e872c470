// The outputs of `ldmprobe early-exit`: early_exit.csv (one row per prompt × policy × K), early_exit_means.csv
// (per policy × K the mean of each measure with its bootstrap 95 % interval over prompts, as the study's),
// quality_vs_compute.{svg,png} (perceptual distance against UNet calls, one line per policy) and
// psnr_vs_compute.{svg,png}, early_exit_paired.csv (EarlyExitPair) and early_exit.html showing them with a strip of images (linked from a pipeline
// folder's index.html when --out is inside one).
import FileFormats
import Foundation
import Study

struct EarlyExitReport {
    let config: EarlyExitConfig
    let rows: [EarlyExitRow]
    let sampler: String
    let perceptualWeights: String

    /// PSNR means count identical images (+∞ dB) as this many dB; an 8-bit image's finite PSNR stays below it
    /// unless it has more than 10^5.2 ≈ 1.6 × 10^5 values per differing value.
    static let psnrCap = 100.0

    /// One line of the means table.
    struct Mean {
        var policy: EarlyExitPolicy
        var after: Int
        var calls: Double
        var fullCalls: Int
        var values: [(name: String, interval: MeanInterval)]
    }

    var means: [Mean] {
        var out: [Mean] = []
        for policy in config.policies {
            for k in config.after where !(policy == .stop && k == 0) {
                let group = rows.filter { $0.policy == policy && $0.after == k }
                guard let first = group.first else { continue }
                let values = EarlyExitPair.measures.compactMap { name, f -> (name: String, interval: MeanInterval)? in
                    let v = group.compactMap(f)
                    guard !v.isEmpty else { return nil }
                    return (name, Bootstrap.meanInterval(v, resamples: config.bootstrap, seed: config.bootstrapSeed))
                }
                out.append(Mean(policy: policy, after: k,
                                calls: Double(group.map(\.calls).reduce(0, +)) / Double(group.count),
                                fullCalls: first.fullCalls, values: values))
            }
        }
        return out
    }

    func write(to out: URL) throws {
        try CSVWriter.write(header: EarlyExitRow.header, rows: rows.map(\.fields),
                            to: out.appendingPathComponent("early_exit.csv"))
        let ms = means
        var header = ["policy", "after", "unet_calls", "full_calls", "calls_saved", "n"]
        let names = ms.first?.values.map(\.name) ?? []
        for n in names { header += [n, n + "_low", n + "_high"] }
        let table = ms.map { m -> [String] in
            var r = [m.policy.name, "\(m.after)", Self.number(m.calls), "\(m.fullCalls)",
                     Self.number(1 - m.calls / Double(max(m.fullCalls, 1))), "\(m.values.first?.interval.n ?? 0)"]
            for v in m.values { r += [Self.number(v.interval.value), Self.number(v.interval.low), Self.number(v.interval.high)] }
            return r
        }
        try CSVWriter.write(header: header, rows: table, to: out.appendingPathComponent("early_exit_means.csv"))
        let charts = [("quality_vs_compute", chart("perceptual", "perceptual distance to the full run (0 = same)", ms,
                                                   fullValue: 0)),
                      ("psnr_vs_compute", chart("psnr_db", "PSNR to the full run, dB (identical = \(Int(Self.psnrCap)))", ms,
                                                fullValue: Self.psnrCap))]
        for (file, c) in charts {
            try AtomicFile.write(c.render(), to: out.appendingPathComponent(file + ".svg"))
            try PNGLineChart(c).render().write(to: out.appendingPathComponent(file + ".png"))
        }
        let pairs = EarlyExitPair.pairs(rows, config: config)
        try CSVWriter.write(header: EarlyExitPair.header, rows: pairs.map(\.fields),
                            to: out.appendingPathComponent("early_exit_paired.csv"))
        try AtomicFile.write(EarlyExitPage(report: self, means: ms, names: names, pairs: pairs).html(folder: out),
                             to: out.appendingPathComponent("early_exit.html"))
        try EarlyExitPage.linkFromPipelineIndex(out)
    }

    /// `measure` against mean UNet calls, one series per policy, with the bootstrap interval; each series ends at
    /// the full run (all calls, `fullValue`) when no K reached it.
    func chart(_ measure: String, _ yLabel: String, _ ms: [Mean], fullValue: Double) -> SVGLineChart {
        let full = Double(ms.map(\.fullCalls).max() ?? 0)
        let series = config.policies.map { policy in
            var points = ms.filter { $0.policy == policy }.compactMap { m in
                m.values.first { $0.name == measure }.map {
                    SVGLineChart.Point(x: m.calls, y: $0.interval.value, low: $0.interval.low, high: $0.interval.high)
                }
            }.sorted { $0.x < $1.x }
            if full > 0, !points.contains(where: { $0.x == full }) { points.append(.init(x: full, y: fullValue)) }
            return SVGLineChart.Series(name: policy.name, points: points)
        }
        return SVGLineChart(title: "Early exit (\(sampler)): quality against compute", xLabel: "UNet calls per image",
                            yLabel: yLabel, series: series)
    }

    static func number(_ v: Double) -> String { v.isNaN ? "" : String(format: "%.6g", v) }
}
