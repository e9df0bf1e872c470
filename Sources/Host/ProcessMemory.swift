// ProcessMemory: the resident-set figures /proc/self/status keeps (Linux), for the bench's JSON line — peak RSS
// alone cannot tell weights in anonymous memory from a mapped file's pages.
import Foundation
import Tensor

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

    /// Starts VmHWM afresh from the current RSS (Linux: "5" to /proc/self/clear_refs), so a later peak excludes
    /// what came before (ru_maxrss is not reset). Returns whether it worked.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        return (try? h.write(contentsOf: Data("5".utf8))) != nil
    }

    /// malloc's own figures: "heap_in_use_bytes" (live blocks), "heap_free_bytes" (freed but kept in its arenas),
    /// "heap_mapped_bytes" (live blocks mapped on their own); empty where unavailable.
    static func heap() -> [String: Int] {
        let h = ProcessHeap.stats()
        guard h.inUse > 0 else { return [:] }
        return ["heap_in_use_bytes": h.inUse, "heap_free_bytes": h.free, "heap_mapped_bytes": h.mapped]
    }
}
