// `ldmprobe pipeline`: the index.html at the top of a pipeline output folder: a table linking each sampler's
// probe report (<sampler>/study/report.html) and per-step classification (<sampler>/classification/), then per
// sampler the study's summary, a strip of its images and the classifier's top-1 accuracy per step
// (PipelineIndex+Sections).
import FileFormats
import Foundation

/// One sampler's outputs, relative to the pipeline folder.
public struct PipelineIndexEntry {
    public var sampler: String
    public var images: Int
    public var calls: Int
    public var metricRows: Int
    /// Seconds spent generating / probing / classifying.
    public var seconds: [String: Double]
    public var hasClassification: Bool

    public init(sampler: String, images: Int, calls: Int, metricRows: Int, seconds: [String: Double],
                hasClassification: Bool) {
        self.sampler = sampler
        self.images = images
        self.calls = calls
        self.metricRows = metricRows
        self.seconds = seconds
        self.hasClassification = hasClassification
    }
}

public enum PipelineIndex {
    /// Writes `folder/index.html` (temporary name, then renamed), reading each sampler's study and classification
    /// results under `folder`.
    public static func write(_ entries: [PipelineIndexEntry], commandLine: String, to folder: URL) throws {
        try AtomicFile.write(html(entries, commandLine: commandLine, folder: folder),
                             to: folder.appendingPathComponent("index.html"))
    }

    /// The page; with `folder`, per sampler the study's summary table, a strip of its images and the
    /// classifier's top-1 accuracy per step (what is missing there is left out).
    public static func html(_ entries: [PipelineIndexEntry], commandLine: String, folder: URL? = nil) -> String {
        var s = """
            <!doctype html><html><head><meta charset="utf-8"><title>ldmprobe pipeline</title>
            <style>body{font-family:sans-serif;max-width:1248px;margin:1em auto;padding:0 16px}td,th{padding:.2em .8em;text-align:left}
            table{border-collapse:collapse}.summary td,.summary th{border:1px solid #ccc;font-size:13px}
            code{background:#f4f4f4}.strip img{image-rendering:pixelated;margin:2px}.empty{color:#888}
            svg{max-width:100%;height:auto}</style></head><body>
            <h1>ldmprobe pipeline</h1>
            <p><code>\(escape(commandLine))</code></p>
            <table><tr><th>sampler</th><th>images</th><th>UNet calls</th><th>metric rows</th><th>probe report</th>
            <th>classification</th><th>run folder</th><th>time (s)</th></tr>

            """
        for e in entries {
            let name = escape(e.sampler)
            let cls = e.hasClassification
                ? "<a href=\"\(name)/classification/classification.csv\">classification.csv</a>" : "—"
            let times = ["generate", "probe", "classify"].compactMap { k in
                e.seconds[k].map { "\(k) \(String(format: "%.1f", $0))" } }.joined(separator: ", ")
            s += "<tr><td>\(name)</td><td>\(e.images)</td><td>\(e.calls)</td><td>\(e.metricRows)</td>"
                + "<td><a href=\"\(name)/study/report.html\">report.html</a></td><td>\(cls)</td>"
                + "<td><a href=\"\(name)/run/\">run/</a></td><td>\(times)</td></tr>\n"
        }
        s += "</table>\n"
        for e in entries {
            let name = escape(e.sampler)
            guard let folder else { continue }
            let base = folder.appendingPathComponent(e.sampler)
            s += "<h2>\(name)</h2>\n"
            s += summaryTable(study: base.appendingPathComponent("study"), link: "\(name)/study/report.html")
            s += imageStrip(run: base.appendingPathComponent("run"), link: "\(name)/run/images")
            if e.hasClassification { s += accuracy(base.appendingPathComponent("classification"), sampler: e.sampler) }
        }
        return s + "</body></html>\n"
    }

    public static func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Targets for per-step classification when the classifier names the prompt's first object (the demo's
/// world-objects): the label whose whole word appears earliest in the prompt.
public enum PromptTarget {
    public static func firstNamed(in prompt: String, labels: [String]) -> Int? {
        let words = prompt.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        for w in words {
            if let i = labels.firstIndex(where: { $0.lowercased() == w }) { return i }
        }
        return nil
    }
}
