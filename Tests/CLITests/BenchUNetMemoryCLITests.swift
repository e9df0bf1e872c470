// `ldmprobe bench unet --weights-file f16`: the tiny UNet's random weights go through a temporary F16
// .safetensors file and the safetensors loader; the JSON line carries the memory figures docs/memory.md lists.
import Foundation
import XCTest

final class BenchUNetMemoryCLITests: XCTestCase {
    static let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tiny-sd/unet/config.json").path

    func testWeightsFileReportsHeapAndPeakFigures() throws {
        let (status, out, err) = try LDMProbeCLI.run(["bench", "unet", "--config", Self.config, "--latent", "8",
                                                      "--repeat", "1", "--weights-dtype", "f16", "--weights-file", "f16"])
        XCTAssertEqual(status, 0, err)
        print(out)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        XCTAssertEqual(json["weights_file"] as? String, "f16")
        XCTAssertTrue(err.contains("wrote ldmprobe-bench-unet-"), err)
        let hwm = try XCTUnwrap(json["vm_hwm_bytes"] as? Int), afterBuild = try XCTUnwrap(json["rss_after_build_bytes"] as? Int)
        XCTAssertGreaterThan(afterBuild, 1 << 20)
        XCTAssertLessThanOrEqual(afterBuild, hwm, "the peak includes the state after the build")
        XCTAssertLessThanOrEqual(try XCTUnwrap(json["vm_hwm_build_bytes"] as? Int), hwm)
        XCTAssertGreaterThan(try XCTUnwrap(json["heap_in_use_bytes"] as? Int), 0, "mallinfo2 figures (glibc)")
        XCTAssertNotNil(json["heap_free_bytes"] as? Int)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(json["minflt_per_call"] as? Double), 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(json["widening_scratch_bytes"] as? Int), 0)
    }

    func testUnknownWeightsFileDtypeIsAUsageError() throws {
        let (status, _, err) = try LDMProbeCLI.run(["bench", "unet", "--config", Self.config, "--latent", "8",
                                                    "--repeat", "1", "--weights-file", "bf16"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("--weights-file bf16: use f16 or f32"), err)
    }
}
