// ProcessMemory: the resident-set figures /proc/self/status keeps (Linux), for the bench's JSON line — peak RSS
// alone cannot tell weights in anonymous memory from a mapped file's pages.
import Foundation

enum ProcessMemory {
    /// VmHWM (peak RSS), VmRSS, RssAnon, RssFile in bytes, keyed "vm_hwm_bytes", "rss_anon_bytes", …; empty
    /// where /proc is absent.
    static func status() -> [String: Int] {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return [:] }
        let wanted = ["VmHWM": "vm_hwm_bytes", "VmRSS": "vm_rss_bytes", "RssAnon": "rss_anon_bytes",
                      "RssFile": "rss_file_bytes"]
        var out: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let key = wanted[String(parts[0])], let kb = Int(parts[1]) else { continue }
            out[key] = kb * 1024
        }
        return out
    }
}
