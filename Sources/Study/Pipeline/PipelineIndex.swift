// `ldmprobe pipeline`: the index.html at the top of a pipeline output folder, one section per sampler linking its
// probe report (<sampler>/study/report.html) and per-step classification (<sampler>/classification/).
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
    /// Writes `folder/index.html` (temporary name, then renamed).
    public static func write(_ entries: [PipelineIndexEntry], commandLine: String, to folder: URL) throws {
        try AtomicFile.write(html(entries, commandLine: commandLine),
                             to: folder.appendingPathComponent("index.html"))
    }

    public static func html(_ entries: [PipelineIndexEntry], commandLine: String) -> String {
        var s = """
            <!doctype html><html><head><meta charset="utf-8"><title>ldmprobe pipeline</title>
            <style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.2em .8em;text-align:left}
            code{background:#f4f4f4}</style></head><body>
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
        for e in entries where e.hasClassification {
            let name = escape(e.sampler)
            s += "<h2>\(name): target-class probability per step</h2>\n"
                + "<p><img src=\"\(name)/classification/target_probability_xt.svg\" alt=\"\" "
                + "onerror=\"this.style.display='none'\"></p>\n"
        }
        return s + "</body></html>\n"
    }

    static func escape(_ t: String) -> String {
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
