// `ldmprobe bench unet --count-flops` against FLOPs counted on diffusers' UNet (Tests/Fixtures/bench), and the
// GFLOP/s-per-op-kind table that LDMPROBE_PROFILE=1 adds to a bench run (tiny UNet config, seconds).
import Foundation
import XCTest

final class BenchFLOPsCLITests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures").standardizedFileURL
    static let kinds = ["conv3x3", "conv1x1", "linear", "attention", "groupnorm", "layernorm"]

    func jsonLine(_ text: String) throws -> [String: Any] {
        let line = try XCTUnwrap(text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
                                 "no JSON line: \(text)")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func testCountsMatchDiffusers() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("bench/unet_flops.json"))
        let ref = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try XCTUnwrap(ref["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let latent = try XCTUnwrap(c["latent"] as? Int), batch = try XCTUnwrap(c["batch"] as? Int)
            let (status, out, err) = try LDMProbeCLI.run(["bench", "unet", "--latent", "\(latent)",
                                                          "--batch", "\(batch)", "--count-flops"])
            XCTAssertEqual(status, 0, err)
            let ours = try XCTUnwrap(try jsonLine(out)["gflop_by_kind"] as? [String: Double])
            var maxdiff = 0.0
            for k in Self.kinds {
                let r = try XCTUnwrap(c[k] as? Double, k), o = try XCTUnwrap(ours[k], k) * 1e9
                let d = abs(o - r) / r
                maxdiff = d.isNaN || maxdiff.isNaN ? .nan : max(maxdiff, d)
                XCTAssertTrue(d <= 1e-12, "latent \(latent) batch \(batch) \(k): ours \(o), diffusers \(r)")
            }
            print("bench unet --count-flops latent \(latent) batch \(batch): max relative diff \(maxdiff)")
        }
    }

    func testProfiledRunPrintsGFLOPsPerOpKind() throws {
        let config = Self.fixtures.appendingPathComponent("tiny-sd/unet/config.json").path
        let args = ["bench", "unet", "--config", config, "--latent", "8", "--batch", "2", "--repeat", "1"]
        let (_, countOut, _) = try LDMProbeCLI.run(args + ["--count-flops"])
        let counted = try XCTUnwrap(try jsonLine(countOut)["gflop"] as? Double)
        setenv("LDMPROBE_PROFILE", "1", 1)
        defer { unsetenv("LDMPROBE_PROFILE") }
        let (status, out, err) = try LDMProbeCLI.run(args)
        XCTAssertEqual(status, 0, err)
        let line = try jsonLine(out)
        let gflop = try XCTUnwrap(line["gflop"] as? Double)
        print("bench unet tiny: gflop \(gflop), --count-flops \(counted), diff \(abs(gflop - counted))")
        XCTAssertTrue(abs(gflop - counted) <= 1e-12 * counted)
        XCTAssertTrue(err.contains("GFLOP/s per op kind"), err)
        let rates = try XCTUnwrap(line["op_gflops"] as? [String: Double], "no op_gflops: \(line)")
        for k in ["conv3x3", "linear", "attention"] {
            let r = try XCTUnwrap(rates[k], "\(k) missing from \(rates)")
            XCTAssertTrue(r > 0 && r.isFinite, "\(k): \(r) GFLOP/s")
        }
        XCTAssertTrue(line["nivcsw"] is Int && line["nvcsw"] is Int, "context switches missing: \(line)")
    }
}
