// early_exit.html: what was compared and how, the means table (bootstrap 95 % intervals), the two charts, and
// per image (the first 8) the full image beside every policy × K.
import FileFormats
import Foundation
import Study

struct EarlyExitPage {
    let report: EarlyExitReport
    let means: [EarlyExitReport.Mean]
    let names: [String]
    let pairs: [EarlyExitPair]

    func html(folder: URL) -> String {
        let c = report.config
        var s = """
            <!doctype html><html><head><meta charset="utf-8"><title>ldmprobe early exit</title>
            <style>body{font-family:sans-serif;max-width:1248px;margin:1em auto;padding:0 16px}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;font-size:13px;text-align:right}
            img.px{image-rendering:pixelated;width:96px;margin:1px}svg{max-width:100%;height:auto}figure{margin:0}
            .strip td{text-align:center;font-size:11px}</style></head><body>
            <h1>Early exit: quality against compute</h1>
            <p>Sampler <b>\(esc(report.sampler))</b>, \(Set(report.rows.map(\.id)).count) images. After K UNet calls of
            the full schedule: <b>stop</b> decodes the x̂0 predicted at call K−1; <b>strideS</b> continues at calls
            K, K+S, … and the last call with DDIM updates between them. Each final image is compared with the full
            run's: perceptual distance (VGG-16 features entering each max pool, unit-normalised over channels,
            squared difference summed over channels, averaged over pixels, summed over the 5 layers; weights
            <code>\(esc(report.perceptualWeights))</code>), PSNR (identical = \(Int(EarlyExitReport.psnrCap)) dB in
            the means)\(c.classifier.map { ", top-1 agreement of <code>\(esc($0))</code>" } ?? "")\(c.labels.isEmpty ? "" : ", agreement of the labels " + c.labels.map { "<code>\(esc($0))</code>" }.joined(separator: ", ") + " (foreground Dice, depth Spearman)").
            Means over images with bootstrap 95 % intervals (\(c.bootstrap) resamples).
            Files: <a href="early_exit.csv">early_exit.csv</a>, <a href="early_exit_means.csv">early_exit_means.csv</a>,
            <a href="early_exit_paired.csv">early_exit_paired.csv</a>.</p>

            """
        for file in ["quality_vs_compute", "psnr_vs_compute"] {
            if let svg = try? String(contentsOf: folder.appendingPathComponent(file + ".svg"), encoding: .utf8) {
                s += "<figure>\(svg)<figcaption><a href=\"\(file).png\">\(file).png</a></figcaption></figure>\n"
            }
        }
        s += "<h2>Means</h2><table><tr><th>policy</th><th>K</th><th>UNet calls</th><th>saved</th>"
        s += names.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        for m in means {
            s += "<tr><td>\(m.policy.name)</td><td>\(m.after)</td><td>\(fmt(m.calls, 1)) / \(m.fullCalls)</td>"
                + "<td>\(Int(((1 - m.calls / Double(max(m.fullCalls, 1))) * 100).rounded())) %</td>"
            for n in names {
                let v = m.values.first { $0.name == n }?.interval
                s += "<td>" + (v.map { "\(fmt($0.value, 3)) [\(fmt($0.low, 3)), \(fmt($0.high, 3))]" } ?? "") + "</td>"
            }
            s += "</tr>\n"
        }
        s += "</table>\n" + pairTable()
        if c.saveImages { s += strip() }
        return s + "</body></html>\n"
    }

    /// Equal compute: policy − fewer-steps baseline per measure (bold where the interval excludes 0).
    func pairTable() -> String {
        guard !pairs.isEmpty else { return "" }
        let measures = EarlyExitPair.measures.map(\.0).filter { m in pairs.contains { $0.measure == m } }
        var s = "<h2>At equal compute: minus the fewer-steps baseline</h2><p>Per image, this policy's value minus "
            + "that of a stride policy started at K = 0 with the same UNet calls (<a href=\"early_exit_paired.csv\">"
            + "early_exit_paired.csv</a>); perceptual: negative = closer to the full run.</p><table><tr><th>policy</th>"
            + "<th>K</th><th>UNet calls</th><th>baseline</th>" + measures.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        var seen = Set<String>()
        for p in pairs where seen.insert("\(p.policy.name)/\(p.after)/\(p.baseline.name)").inserted {
            s += "<tr><td>\(p.policy.name)</td><td>\(p.after)</td><td>\(p.calls)</td><td>\(p.baseline.name), K=0</td>"
            for m in measures {
                let d = pairs.first { $0.policy == p.policy && $0.after == p.after && $0.baseline == p.baseline && $0.measure == m }?.difference
                s += "<td>" + (d.map { v in
                    let text = "\(fmt(v.value, 3)) [\(fmt(v.low, 3)), \(fmt(v.high, 3))]"
                    return v.low > 0 || v.high < 0 ? "<b>\(text)</b>" : text
                } ?? "") + "</td>"
            }
            s += "</tr>\n"
        }
        return s + "</table>\n"
    }

    /// Per image: the full run, then one column per policy × K.
    func strip() -> String {
        let ids = report.rows.reduce(into: [String]()) { if !$0.contains($1.id) { $0.append($1.id) } }.prefix(8)
        var s = "<h2>Images</h2><table class=\"strip\"><tr><th>image</th><th>full</th>"
        let columns = report.config.policies.flatMap { p in
            report.config.after.filter { !(p == .stop && $0 == 0) }.map { (p, $0) }
        }
        s += columns.map { "<th>\($0.0.name) K=\($0.1)</th>" }.joined() + "</tr>\n"
        for id in ids {
            let base = "images/\(esc(id))/"
            s += "<tr><td>\(esc(id))</td><td><img class=\"px\" src=\"\(base)full.png\"></td>"
            for (p, k) in columns {
                let name = String(format: "%@_k%02d", p.name, k)
                s += "<td><img class=\"px\" src=\"\(base)\(name).png\"></td>"
            }
            s += "</tr>\n"
        }
        return s + "</table>\n"
    }

    /// When `out` sits in a `pipeline` output folder (its parent has the pipeline's index.html), adds a link to
    /// this page and the chart to that index once.
    static func linkFromPipelineIndex(_ out: URL) throws {
        let index = out.deletingLastPathComponent().appendingPathComponent("index.html")
        guard let page = try? String(contentsOf: index, encoding: .utf8), page.contains("<h1>ldmprobe pipeline</h1>"),
              let end = page.range(of: "</body>", options: .backwards) else { return }
        let name = PipelineIndex.escape(out.lastPathComponent)
        let link = "\(name)/early_exit.html"
        guard !page.contains("href=\"\(link)\"") else { return }
        let section = "<h2>Early exit</h2><p><a href=\"\(link)\">Early exit: quality against compute</a> "
            + "(<code>ldmprobe early-exit</code>)</p><p><img src=\"\(name)/quality_vs_compute.png\" width=\"640\"></p>\n"
        try AtomicFile.write(page.replacingCharacters(in: end, with: section + "</body>"), to: index)
    }

    func esc(_ t: String) -> String { PipelineIndex.escape(t) }

    func fmt(_ v: Double, _ digits: Int) -> String { v.isNaN ? "—" : String(format: "%.\(digits)f", v) }
}
