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
        var cpu: Double               // CPU seconds (all threads) per call: steadier on a shared machine
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

    /// `profile`: (profiler kind, total wall seconds, total CPU seconds) over `runs` calls.
    init(flops: UNetFLOPs, profile: [(kind: String, seconds: Double, cpu: Double)], runs: Int) {
        let n = Double(max(runs, 1))
        var seconds: [String: (wall: Double, cpu: Double)] = [:], members: [String: [String]] = [:]
        for p in profile {
            let k = Self.analyticKind(p.kind) ?? "other"
            let old = seconds[k] ?? (0, 0)
            seconds[k] = (old.wall + p.seconds / n, old.cpu + p.cpu / n)
            members[k, default: []].append(p.kind)
        }
        for k in UNetFLOPs.kinds {
            rows.append(Row(kind: k, gflop: (flops.byKind[k] ?? 0) / 1e9, seconds: seconds[k]?.wall ?? 0,
                            cpu: seconds[k]?.cpu ?? 0, profilerKinds: members[k] ?? []))
        }
        if let other = seconds["other"] {
            rows.append(Row(kind: "other", gflop: nil, seconds: other.wall, cpu: other.cpu,
                            profilerKinds: members["other"] ?? []))
        }
    }

    var totalSeconds: Double { rows.reduce(0) { $0 + $1.seconds } }
    var totalCPU: Double { rows.reduce(0) { $0 + $1.cpu } }
    var totalGFLOP: Double { rows.reduce(0) { $0 + ($1.gflop ?? 0) } }

    /// A Markdown table; a counted kind with no profiled time (its kernel not instrumented) shows "—".
    /// GFLOP per CPU second is per core: ×threads is the wall rate the cores would reach without waiting.
    func markdown() -> String {
        var s = "| op kind | GFLOP/call | wall s/call | GFLOP/s | CPU s/call | GFLOP/CPU-s | profiler kinds |\n"
            + "|---|---:|---:|---:|---:|---:|---|\n"
        func rate(_ g: Double?, _ t: Double) -> String {
            t > 0 ? g.map { String(format: "%.1f", $0 / t) } ?? "—" : "—"
        }
        for r in rows {
            s += "| \(r.kind) | " + (r.gflop.map { String(format: "%.2f", $0) } ?? "—")
                + String(format: " | %.3f | ", r.seconds) + rate(r.gflop, r.seconds)
                + String(format: " | %.3f | ", r.cpu) + rate(r.gflop, r.cpu) + " | "
                + r.profilerKinds.sorted().joined(separator: ", ") + " |\n"
        }
        s += String(format: "| sum of profiled kernels | %.2f | %.3f | ", totalGFLOP, totalSeconds)
            + rate(totalGFLOP, totalSeconds) + String(format: " | %.3f | ", totalCPU) + rate(totalGFLOP, totalCPU)
            + " | |\n"
        return s
    }

    /// op kind → GFLOP/s, for the JSON line (kinds with time only).
    var json: [String: Double] {
        var d: [String: Double] = [:]
        for r in rows where r.seconds > 0 { if let g = r.gflops { d[r.kind] = (g * 10).rounded() / 10 } }
        return d
    }
}
