// PluginHost — what `ldmprobe validate-plugin` finds: one row per (plugin, check), pass or fail with the reason.
// Codable, so tests and CI read `--json` back.
import Foundation

public struct ValidationReport: Codable, Sendable {
    public struct Check: Codable, Sendable, Equatable {
        /// The library file.
        public var library: String
        /// "sampler ddim", or "" for a check of the library itself.
        public var plugin: String
        /// "load", "descriptor", "create-destroy", "deterministic", …
        public var check: String
        public var passed: Bool
        /// What was measured, or why it failed.
        public var detail: String
    }

    public var hostAbi: String
    public var checks: [Check]

    public var passed: Bool { checks.allSatisfy(\.passed) && !checks.isEmpty }
    public var failures: [Check] { checks.filter { !$0.passed } }

    /// The report as a fixed-width table, failures first in each library.
    public var table: String {
        let pw = max(6, checks.map(\.plugin.count).max() ?? 0)
        let cw = max(5, checks.map(\.check.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var lines: [String] = []
        var library = ""
        for c in checks {
            if c.library != library {
                library = c.library
                lines.append("\(library):")
            }
            lines.append("  \(c.passed ? "pass" : "FAIL")  \(pad(c.plugin.isEmpty ? "-" : c.plugin, pw))  "
                         + "\(pad(c.check, cw))  \(c.detail)")
        }
        let failed = failures.count
        lines.append(failed == 0 ? "\(checks.count) checks passed"
                     : "\(failed) of \(checks.count) checks FAILED")
        return lines.joined(separator: "\n")
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
