// Opt-in per-op timing: with LDMPROBE_PROFILE=1 in the environment, every kernel adds its wall time to a total per
// op kind, and the process CPU time (all threads) it used: on a shared machine CPU time is the steadier number.
// `ldmprobe bench` prints the table to stderr. Off (the default) it costs one branch per kernel call.
import Dispatch
import Foundation

/// Wall-time totals per op kind ("conv3x3", "attn.qk", "softmax", …), collected when LDMPROBE_PROFILE=1.
public enum Profiler {
    /// Whether timing is on (read once from the environment; `enable()` turns it on in code).
    public private(set) static var enabled: Bool = ProcessInfo.processInfo.environment["LDMPROBE_PROFILE"] == "1"

    private static let lock = NSLock()
    private static var totals: [String: (seconds: Double, cpu: Double, calls: Int)] = [:]

    /// Process CPU time (user + system, all threads) in seconds.
    public static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Turns timing on (tests, benches).
    public static func enable() { enabled = true }

    /// Runs `body`, adding its wall time to `kind` when profiling is on. Kernels are called from one thread at a
    /// time; the lock only guards against a caller that runs models concurrently.
    @inline(__always)
    public static func time<R>(_ kind: @autoclosure () -> String, _ body: () throws -> R) rethrows -> R {
        guard enabled else { return try body() }
        let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpuSeconds()
        let r = try body()
        let k = kind()
        add(k, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, cpu: cpuSeconds() - c0)
        if watchPeak { notePeak(after: k) }
        return r
    }

    /// LDMPROBE_PROFILE_PEAK=1 (with LDMPROBE_PROFILE=1): after each kernel, reads VmHWM and prints the op that
    /// raised the process's peak resident memory by a MiB or more, with malloc's bytes in use and free at that
    /// moment — where a memory budget is lost.
    static let watchPeak = ProcessInfo.processInfo.environment["LDMPROBE_PROFILE_PEAK"] == "1"
    nonisolated(unsafe) private static var lastPeakKiB = 0
    nonisolated(unsafe) private static var opIndex = 0

    private static func notePeak(after kind: String) {
        lock.lock()
        defer { lock.unlock() }
        opIndex += 1
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return }
        if kib >= lastPeakKiB + 1024 {
            let heap = ProcessHeap.stats()   // live blocks vs freed-but-kept: fragmentation or real demand
            FileHandle.standardError.write(String(format: "peak: op %d %@ raised VmHWM to %.1f MB (+%.1f); heap in use "
                                                  + "%.1f MB, free %.1f MB\n", opIndex, kind, Double(kib) * 1.024e-3,
                                                  Double(kib - lastPeakKiB) * 1.024e-3, Double(heap.inUse) / 1e6,
                                                  Double(heap.free) / 1e6)
                .data(using: .utf8)!)
            lastPeakKiB = kib
        }
    }

    /// Adds `seconds` of wall time and `cpu` seconds of CPU time to `kind`.
    public static func add(_ kind: String, _ seconds: Double, cpu: Double = 0) {
        lock.lock()
        let old = totals[kind] ?? (0, 0, 0)
        totals[kind] = (old.seconds + seconds, old.cpu + cpu, old.calls + 1)
        lock.unlock()
    }

    /// Clears all totals (between the warm-up call and the timed calls).
    public static func reset() {
        lock.lock()
        totals = [:]
        lock.unlock()
    }

    /// Totals so far, largest first.
    public static func snapshot() -> [(kind: String, seconds: Double, cpu: Double, calls: Int)] {
        lock.lock()
        defer { lock.unlock() }
        return totals.map { ($0.key, $0.value.seconds, $0.value.cpu, $0.value.calls) }.sorted { $0.seconds > $1.seconds }
    }

    /// A text table of the totals divided by `runs`: wall s/run, its share of the sum, CPU s/run, calls/run.
    public static func report(runs: Int = 1) -> String {
        let rows = snapshot()
        let sum = rows.reduce(0) { $0 + $1.seconds }, cpuSum = rows.reduce(0) { $0 + $1.cpu }
        let n = Double(max(runs, 1))
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        var s = pad("op", 16) + "   wall s  share    cpu s  calls\n"
        for r in rows {
            s += pad(r.kind, 16) + String(format: " %8.3f %5.1f%% %8.3f %6d\n", r.seconds / n,
                                          100 * r.seconds / max(sum, 1e-12), r.cpu / n, r.calls / max(runs, 1))
        }
        s += pad("sum", 16) + String(format: " %8.3f        %8.3f\n", sum / n, cpuSum / n)
        return s
    }
}
