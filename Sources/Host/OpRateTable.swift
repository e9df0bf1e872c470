// GFLOP/s per op kind: analytic FLOPs (UNetFLOPs) ÷ the wall time LDMPROBE_PROFILE=1 recorded for the kernels of
// that kind. Profiler kinds are kernel names that change as kernels do ("conv.tiles", "conv1x1.sgemm", …), so they
// are grouped by prefix, and the table names the profiler kinds in each group: a misfiled kernel shows.
import Foundation
import Tensor

struct OpRateTable {
    struct Row {
        var kind: String
        var gflop: Double?            // per call; nil: no FLOPs counted (copies, adds, transposes, …)
        var seconds: Double           // wall per call
        var profilerKinds: [String]
        var gflops: Double? { gflop.map { $0 / max(seconds, 1e-12) } }
    }

    private(set) var rows: [Row] = []

    /// The analytic op kind a profiler kind's time belongs to; nil: memory-bound, no FLOPs counted.
    static func analyticKind(_ profilerKind: String) -> String? {
        let k = profilerKind.lowercased()
        if k.hasPrefix("conv1x1") { return "conv1x1" }
        if k.hasPrefix("conv") { return "conv3x3" }   // every other conv of the UNet is 3×3
        if k.hasPrefix("linear") { return "linear" }
        if k.hasPrefix("attention") || k.hasPrefix("attn") || k.hasPrefix("softmax") { return "attention" }
        if k.hasPrefix("groupnorm") { return "groupnorm" }
        if k.hasPrefix("layernorm") { return "layernorm" }
        return nil
    }

    /// `profile`: (profiler kind, total wall seconds) over `runs` calls.
    init(flops: UNetFLOPs, profile: [(kind: String, seconds: Double)], runs: Int) {
        let n = Double(max(runs, 1))
        var seconds: [String: Double] = [:], members: [String: [String]] = [:]
        for p in profile {
            let k = Self.analyticKind(p.kind) ?? "other"
            seconds[k, default: 0] += p.seconds / n
            members[k, default: []].append(p.kind)
        }
        for k in UNetFLOPs.kinds {
            rows.append(Row(kind: k, gflop: (flops.byKind[k] ?? 0) / 1e9, seconds: seconds[k] ?? 0,
                            profilerKinds: members[k] ?? []))
        }
        if let other = seconds["other"] {
            rows.append(Row(kind: "other", gflop: nil, seconds: other, profilerKinds: members["other"] ?? []))
        }
    }

    var totalSeconds: Double { rows.reduce(0) { $0 + $1.seconds } }
    var totalGFLOP: Double { rows.reduce(0) { $0 + ($1.gflop ?? 0) } }

    /// A Markdown table; a counted kind with no profiled time (its kernel not instrumented) shows "—".
    func markdown() -> String {
        var s = "| op kind | GFLOP/call | wall s/call | GFLOP/s | profiler kinds |\n|---|---:|---:|---:|---|\n"
        for r in rows {
            let rate = r.seconds > 0 ? r.gflops.map { String(format: "%.1f", $0) } ?? "—" : "—"
            s += "| \(r.kind) | " + (r.gflop.map { String(format: "%.2f", $0) } ?? "—")
                + String(format: " | %.3f | ", r.seconds) + rate + " | "
                + r.profilerKinds.sorted().joined(separator: ", ") + " |\n"
        }
        s += String(format: "| sum of profiled kernels | %.2f | %.3f | %.1f | |\n", totalGFLOP, totalSeconds,
                    totalGFLOP / max(totalSeconds, 1e-12))
        return s
    }

    /// op kind → GFLOP/s, for the JSON line (kinds with time only).
    var json: [String: Double] {
        var d: [String: Double] = [:]
        for r in rows where r.seconds > 0 { if let g = r.gflops { d[r.kind] = (g * 10).rounded() / 10 } }
        return d
    }
}
