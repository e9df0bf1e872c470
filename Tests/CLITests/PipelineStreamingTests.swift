// `ldmprobe pipeline` streamed vs stored, on the embedded demo model (skipped when it is absent): the same small
// run (8 images, 3 steps, ddim) once with activations streamed into the probes in-process and once with
// --from-disk (activations written to the run folder as float32 and read back) must give the same metrics.csv —
// lstsq to rounding (it sums the examples in another order), fit=adam held in memory or spilled to a temporary
// folder exactly. The streamed run folder must hold no activations, the spill folder must be gone.
import Foundation
import XCTest

final class PipelineStreamingTests: XCTestCase {
    func ldmprobe(_ arguments: [String]) throws -> (Int32, String, String) { try LDMProbeCLI.run(arguments) }

    func demoPresent() -> Bool { LDMProbeCLI.demoModelPresent }

    /// Runs the small demo pipeline into `out` with `extra` flags; returns metrics.csv rows (header dropped).
    func pipeline(_ out: URL, _ extra: [String]) throws -> [[String]] {
        let (status, _, err) = try ldmprobe(["pipeline", "--demo", "--count", "8", "--steps", "3", "--sampler", "ddim",
                                                 "--classifier", "none", "--control", "none", "--bootstrap", "50",
                                                 "--out", out.path] + extra)
        XCTAssertEqual(status, 0, err)
        print(err.split(separator: "\n").filter { $0.contains("stream") || $0.contains("memory") || $0.contains("spill") }
            .joined(separator: "\n"))
        let text = try String(contentsOf: out.appendingPathComponent("ddim/study/metrics.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Keys (layer, step, property, metric, n) must agree; returns the maxdiff of value, ci_low, ci_high.
    func maxdiff(_ a: [[String]], _ b: [[String]], _ what: String) -> Double {
        XCTAssertEqual(a.count, b.count, what)
        XCTAssertGreaterThan(a.count, 0, what)
        var m = 0.0
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.count, 8)
            XCTAssertEqual([x[0], x[1], x[2], x[3], x[7]], [y[0], y[1], y[2], y[3], y[7]], what)
            for c in 4...6 where !(x[c].isEmpty && y[c].isEmpty) {
                let d = abs((Double(x[c]) ?? .nan) - (Double(y[c]) ?? .nan))
                m = m.isNaN || d.isNaN ? .nan : max(m, d)  // an unparsable or one-sided empty value fails
            }
        }
        return m
    }

    func testStreamedEqualsStoredOnTheDemo() throws {
        guard demoPresent() else { return XCTFail("no Assets/demo/model/model_index.json: the embedded demo is part of the repository (restore it with git checkout Assets/demo, or remake it with tools/demo/, see Assets/demo/README.md)") }
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory.appendingPathComponent("ldmprobe-streaming-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: tmp) }
        // lstsq: streamed (the demo preset's probe) vs stored.
        let streamed = try pipeline(tmp.appendingPathComponent("stream"), [])
        let stored = try pipeline(tmp.appendingPathComponent("disk"), ["--from-disk", "--activation-dtype", "f32"])
        let d = maxdiff(streamed, stored, "lstsq")
        print("pipeline lstsq streamed vs --from-disk f32: \(streamed.count) rows, maxdiff \(d)")
        XCTAssertLessThan(d, 1e-5)
        XCTAssertFalse(fm.fileExists(atPath: tmp.appendingPathComponent("stream/ddim/run/activations").path),
                       "the streamed run folder must hold no activations")
        XCTAssertTrue(fm.fileExists(atPath: tmp.appendingPathComponent("stream/ddim/study/labels/foreground").path),
                      "labels are kept by default")
        XCTAssertTrue(fm.fileExists(atPath: tmp.appendingPathComponent("disk/ddim/run/activations").path))
        XCTAssertTrue(fm.fileExists(atPath: tmp.appendingPathComponent("stream/ddim/study/report.html").path))

        // fit=adam: every image held in memory, or spilled (a tiny --memory-limit), vs stored: identical.
        let adam = ["--probe", "linear:epochs=2"]
        let memory = try pipeline(tmp.appendingPathComponent("memory"), adam)
        let spill = try pipeline(tmp.appendingPathComponent("spill"), adam + ["--memory-limit", "0.0001"])
        let adamStored = try pipeline(tmp.appendingPathComponent("adam-disk"), adam + ["--from-disk", "--activation-dtype", "f32"])
        let dm = maxdiff(memory, adamStored, "adam memory"), ds = maxdiff(spill, adamStored, "adam spill")
        print("pipeline adam in memory vs --from-disk f32: maxdiff \(dm); spilled: maxdiff \(ds)")
        XCTAssertEqual(dm, 0)
        XCTAssertEqual(ds, 0)
        let left = try fm.contentsOfDirectory(atPath: tmp.appendingPathComponent("spill/ddim").path)
        XCTAssertFalse(left.contains { $0.hasSuffix("-activations.tmp") }, "the spill folder must be removed: \(left)")

        // A second streamed run into the same folder cannot resume (nothing stored): a clear error.
        let (status, _, err) = try ldmprobe(["pipeline", "--demo", "--count", "8", "--steps", "3", "--sampler", "ddim",
                                                 "--classifier", "none", "--quiet", "--resume",
                                                 "--out", tmp.appendingPathComponent("stream").path])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("without stored activations"), err)
    }
}
