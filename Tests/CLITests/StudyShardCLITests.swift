// `ldmprobe study` (map and reduce) on the embedded demo model: 8 images, 3 steps, ddim. Training in N = 3 shards
// run out of order, testing in N = 2, must give the metrics and probe weights of the single-process `pipeline`
// (the float64 sums are added in another order: rounding-level differences) and the same per-step
// classification.csv (byte for byte); a map task stopped after one
// image and re-run must write a byte-identical shard file; solve must name missing shards; a stage with other
// flags must be refused.
import Foundation
import XCTest

final class StudyShardCLITests: XCTestCase {
    let common = ["--demo", "--count", "8", "--steps", "3", "--sampler", "ddim", "--bootstrap", "50", "--quiet"]

    func ldmprobe(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        try LDMProbeCLI.run(arguments, environment: environment)
    }

    func ok(_ arguments: [String], environment: [String: String] = [:]) throws {
        let (status, _, err) = try ldmprobe(arguments, environment: environment)
        XCTAssertEqual(status, 0, "ldmprobe \(arguments.joined(separator: " ")): \(err)")
    }

    /// metrics.csv rows without the header.
    func metrics(_ url: URL) throws -> [[String]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The F32 tensors of a safetensors file (the probe weights).
    func tensors(_ url: URL) throws -> [String: [Float]] {
        let data = try Data(contentsOf: url)
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
        var out: [String: [Float]] = [:]
        for (name, v) in header where name != "__metadata__" {
            let e = try XCTUnwrap(v as? [String: Any]), o = try XCTUnwrap(e["data_offsets"] as? [Int])
            XCTAssertEqual(e["dtype"] as? String, "F32")
            let bytes = data.subdata(in: (8 + n + o[0])..<(8 + n + o[1]))
            out[name] = bytes.withUnsafeBytes { b in (0..<(b.count / 4)).map { b.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
        }
        return out
    }

    /// NaN-propagating maxdiff.
    func diff(_ a: Double, _ b: Double, _ m: inout Double) {
        let d = abs(a - b)
        m = m.isNaN || d.isNaN ? .nan : max(m, d)
    }

    func testShardedStudyEqualsPipelineAndResumes() throws {
        XCTAssertTrue(LDMProbeCLI.demoModelPresent, "no Assets/demo/model: the embedded demo is part of the repository")
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory.appendingPathComponent("ldmprobe-study-shard-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: tmp) }
        let single = tmp.appendingPathComponent("pipeline"), study = tmp.appendingPathComponent("study")
        try ok(["pipeline"] + common + ["--control", "none", "--out", single.path])

        // Map and reduce, shards finishing in a shuffled order.
        for k in [3, 1, 2] { try ok(["study", "train-map", "--shard", "\(k)/3", "--out", study.path] + common) }
        try ok(["study", "solve", "--out", study.path])
        for k in [2, 1] { try ok(["study", "test-map", "--shard", "\(k)/2", "--out", study.path] + common) }
        try ok(["study", "report", "--out", study.path])

        for f in ["report.html", "study.json", "per_image_metrics.csv", "gaps.csv", "split.csv"] {
            XCTAssertTrue(fm.fileExists(atPath: study.appendingPathComponent("study/" + f).path), f)
        }
        // Word-map rows (foreground:wordmap, DAAM maps of the object word) are pipeline-only: the map stages do
        // not capture cross-attention probabilities.
        let all = try metrics(single.appendingPathComponent("ddim/study/metrics.csv"))
        let a = all.filter { !$0[2].hasSuffix(":wordmap") }
        print("pipeline: \(all.count - a.count) word-map rows not compared (pipeline-only)")
        let b = try metrics(study.appendingPathComponent("study/metrics.csv"))
        XCTAssertEqual(a.count, b.count)
        XCTAssertGreaterThan(a.count, 0)
        XCTAssertTrue(a.contains { $0[2].hasSuffix(":shuffled") }, "the shuffled control is carried")
        var dm = 0.0
        for (x, y) in zip(a, b) {
            XCTAssertEqual([x[0], x[1], x[2], x[3], x[7]], [y[0], y[1], y[2], y[3], y[7]])
            for c in 4...6 where !(x[c].isEmpty && y[c].isEmpty) { diff(Double(x[c]) ?? .nan, Double(y[c]) ?? .nan, &dm) }
        }
        var dw = 0.0, weights = 0
        let probes = single.appendingPathComponent("ddim/study/probes")
        for name in try fm.contentsOfDirectory(atPath: probes.path) {
            let p = try tensors(probes.appendingPathComponent(name))
            let q = try tensors(study.appendingPathComponent("study/probes").appendingPathComponent(name))
            XCTAssertEqual(Set(p.keys), Set(q.keys), name)
            for (k, v) in p {
                XCTAssertEqual(v.count, q[k]?.count)
                for (x, y) in zip(v, q[k] ?? []) { diff(Double(x), Double(y), &dw); weights += 1 }
            }
        }
        print("study N=3 train (order 3,1,2) / N=2 test vs pipeline: \(a.count) metric rows, maxdiff \(dm); "
              + "\(weights) probe weights, maxdiff \(dw)")
        XCTAssertGreaterThan(weights, 0)
        XCTAssertLessThan(dm, 1e-5)
        XCTAssertLessThan(dw, 1e-5)
        // Per-step classification (the demo's world-objects) of every image, joined from the map tasks.
        let classes = try String(contentsOf: study.appendingPathComponent("classification/classification.csv"), encoding: .utf8)
        let expected = try String(contentsOf: single.appendingPathComponent("ddim/classification/classification.csv"), encoding: .utf8)
        print("classification.csv: \(classes.split(separator: "\n").count) lines, identical to pipeline's: \(classes == expected)")
        XCTAssertEqual(classes, expected)

        // Stopped after one image and re-run: the same bytes as the uninterrupted shard.
        let resumed = tmp.appendingPathComponent("resumed")
        let (status, _, err) = try ldmprobe(["study", "train-map", "--shard", "1/3", "--out", resumed.path] + common,
                                            environment: ["LDMPROBE_STOP_AFTER_IMAGES": "1"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("LDMPROBE_STOP_AFTER_IMAGES"), err)
        XCTAssertTrue(fm.fileExists(atPath: resumed.appendingPathComponent("train/shard-1-of-3.partial.safetensors").path))
        XCTAssertFalse(fm.fileExists(atPath: resumed.appendingPathComponent("train/shard-1-of-3.safetensors").path))
        try ok(["study", "train-map", "--shard", "1/3", "--out", resumed.path] + common)
        let whole = try Data(contentsOf: study.appendingPathComponent("train/shard-1-of-3.safetensors"))
        let again = try Data(contentsOf: resumed.appendingPathComponent("train/shard-1-of-3.safetensors"))
        print("train shard 1/3 stopped after 1 image and re-run: \(again.count) bytes, identical: \(whole == again)")
        XCTAssertEqual(whole, again)

        // solve names the missing shards; a stage with other flags is refused.
        let (s2, _, e2) = try ldmprobe(["study", "solve", "--out", resumed.path])
        XCTAssertNotEqual(s2, 0)
        XCTAssertTrue(e2.contains("2/3") && e2.contains("3/3") && e2.contains("missing"), e2)
        let (s3, _, e3) = try ldmprobe(["study", "test-map", "--shard", "1/2", "--out", study.path, "--demo", "--count",
                                        "8", "--steps", "2", "--sampler", "ddim", "--quiet"])
        XCTAssertNotEqual(s3, 0)
        XCTAssertTrue(e3.contains("made with another"), e3)
    }
}
