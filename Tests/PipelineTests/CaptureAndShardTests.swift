// Capture pattern matching against the tiny model's capture points (no weights needed) and --shard partitioning.
import Foundation
import Models
import Pipeline
import XCTest

final class CaptureAndShardTests: XCTestCase {
    func tinyPoints() throws -> [CapturePoint] {
        let config = try UNetConfig.load(Fixtures.root.appendingPathComponent("tiny-sd/unet/config.json"))
        return CapturePoint.from(layerPaths: UNet2DConditionModel.layerPaths(config: config, latentHeight: 8,
                                                                             latentWidth: 8, batch: 2))
    }

    func testGlobMatching() {
        let p = CapturePattern("*attn1")
        XCTAssertTrue(p.matches("down_blocks.0.attentions.0.transformer_blocks.0.attn1"))
        XCTAssertFalse(p.matches("down_blocks.0.attentions.0.transformer_blocks.0.attn2"))
        XCTAssertTrue(CapturePattern("up_blocks.3.*").matches("up_blocks.3.attentions.2.transformer_blocks.0.attn1"))
        XCTAssertFalse(CapturePattern("up_blocks.3.*").matches("up_blocks.3"))
        XCTAssertTrue(CapturePattern("mid_block").matches("mid_block"))
        XCTAssertFalse(CapturePattern("mid_block").matches("mid_block.resnets.0"))
        XCTAssertTrue(CapturePattern("down_blocks.?.resnets.1").matches("down_blocks.2.resnets.1"))
        XCTAssertTrue(CapturePattern("*").matches(""))
    }

    func testAttentionProbabilitiesOnlyWhenNamed() throws {
        let points = try tinyPoints()
        let probs = points.filter(\.isAttentionProbabilities)
        XCTAssertEqual(probs.count, 16, "one per cross-attention layer")
        XCTAssertEqual(probs.first?.path, "down_blocks.0.attentions.0.transformer_blocks.0.attn2.probs")
        XCTAssertEqual(probs.first?.featureShape, [8, 64, 77], "[heads, h·w, 77]")
        XCTAssertEqual(probs.first { $0.path.hasPrefix("mid_block") }?.featureShape, [8, 1, 77])
        // A glob takes them only when it says probs; an exact path always.
        XCTAssertFalse(try CaptureSelection(patterns: ["up_blocks.3.*"], available: points).points
            .contains(where: \.isAttentionProbabilities))
        XCTAssertEqual(try CaptureSelection(patterns: ["*attn2.probs"], available: points).points.count, 16)
        XCTAssertEqual(try CaptureSelection(patterns: ["mid_block.attentions.0.transformer_blocks.0.attn2.probs"],
                                            available: points).points.count, 1)
    }

    func testDefaultSelectionIsTheSixteenSelfAttentionLayers() throws {
        let points = try tinyPoints()
        let sel = try CaptureSelection(patterns: CaptureSelection.defaultPatterns, available: points)
        // The tiny model has SD v1's topology: 2+2+2 down, 1 mid, 3+3+3 up.
        XCTAssertEqual(sel.points.count, 16)
        XCTAssertEqual(sel.paths.first, "down_blocks.0.attentions.0.transformer_blocks.0.attn1")
        XCTAssertEqual(sel.paths.last, "up_blocks.3.attentions.2.transformer_blocks.0.attn1")
        XCTAssertTrue(sel.points.allSatisfy { $0.tokens })
        let mid = sel.points.first { $0.path.hasPrefix("mid_block") }!
        XCTAssertEqual(mid.featureShape, [32, 1, 1])
        XCTAssertEqual(sel.points[0].featureShape, [32, 8, 8])
        let up3 = try CaptureSelection(patterns: ["up_blocks.3.*attn1", "mid_block"], available: points)
        XCTAssertEqual(up3.points.count, 4)
        XCTAssertEqual(up3.points.last?.path, "up_blocks.3.attentions.2.transformer_blocks.0.attn1") // execution order
    }

    func testUnknownPatternPointsToLayersCommand() throws {
        let points = try tinyPoints()
        XCTAssertThrowsError(try CaptureSelection(patterns: ["up_blocks.9.*"], available: points)) { error in
            print("capture: \(error)")
            XCTAssertTrue("\(error)".contains("ldmprobe layers"))
            XCTAssertTrue("\(error)".contains("up_blocks.9.*"))
        }
    }

    func testShardsAreDisjointAndCoverEverything() throws {
        for total in [0, 1, 5, 246, 617] {
            for n in [1, 2, 3, 8, 10] {
                var seen: [Int] = []
                var sizes: [Int] = []
                for k in 1 ... n {
                    let r = try ShardSpec(index: k, count: n).range(of: total)
                    seen += Array(r)
                    sizes.append(r.count)
                }
                XCTAssertEqual(seen, Array(0 ..< total), "total \(total) n \(n)")
                XCTAssertLessThanOrEqual((sizes.max() ?? 0) - (sizes.min() ?? 0), 1)
            }
        }
        XCTAssertEqual(try ShardSpec(parsing: "2/3").select(Array(0 ..< 10)), [4, 5, 6])
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/2"] {
            XCTAssertThrowsError(try ShardSpec(parsing: bad), bad)
        }
    }

    func testXXH64ReferenceValues() {
        // Reference values of the xxHash project (XXH64, seed 0).
        XCTAssertEqual(XXH64.hash([UInt8]()), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(XXH64.hash(Array("a".utf8)), 0xD24E_C4F1_A98C_6E5B)
        XCTAssertEqual(XXH64.hash(Array("abc".utf8)), 0x44BC_2CF5_AD77_0999)
        // bytes(range(256)) * 3 through libxxhash 0.8.1 (exercises the 32-byte stripes and every tail length).
        let bytes = (0 ..< 768).map { UInt8($0 % 256) }
        XCTAssertEqual(XXH64.hash(bytes), 0x8E03_C838_C596_036F)
    }
}
