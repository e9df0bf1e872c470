// The word-map kind (wordmap.h) through the loader, the Swift wrapper and validate-plugin, with the shipped `daam`
// plugin (libDAAMWordMaps, built next to the test runner): exact maps on a capture whose values are known, the
// parameters reaching the plugin, errors as one line, and every validator check passing.
import Foundation
import PluginHost
import XCTest

final class WordMapKindTests: XCTestCase {
    static func registry() throws -> PluginRegistry {
        let r = try PluginRegistry.discover(useEnvironment: false)
        XCTAssertTrue(r.plugins.contains { $0.kind == .wordmap && $0.name == "daam" },
                      "daam not loaded: \(r.failures.map { "\($0.path): \($0.reason)" }) "
                      + "(build it: swift build -c release --build-tests)")
        return r
    }

    /// One layer at the latent size (no upsampling), one head, one call: DAAM's word map is the mean of its tokens'
    /// probabilities clamped at 0, exactly.
    func testDAAMMapsAreTheTokenMeans() throws {
        let r = try Self.registry()
        let info = try r.plugin(.wordmap, named: "daam")
        XCTAssertEqual(info.abiVersion, "1.2")
        XCTAssertEqual(Set(info.params.map(\.name)),
                       ["layers", "heads", "steps", "upsample", "normalize", "absolute", "threshold"])
        let wm = try r.wordMap(spec: "daam:absolute=true,threshold=0.25").instantiate()
        XCTAssertEqual(wm.maskThreshold, 0.25)
        // [heads 1, hw 2·2, S 5]: value = position + token / 10.
        let p: [Float] = (0..<4).flatMap { pos in (0..<5).map { Float(pos) + Float($0) / 10 } }
        try wm.begin(WordMapImage(latentHeight: 2, latentWidth: 2, tokenCount: 5, promptTokens: 3,
                                  words: [[1], [2, 3], []]))
        let layer = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.probs"
        try wm.add(layer: layer, call: 0, probabilities: p, heads: 1, positions: 4, tokens: 5)
        try wm.add(layer: "mid_block.attentions.0.transformer_blocks.0.attn2.probs", call: 0,
                   probabilities: [Float](repeating: 100, count: 5), heads: 1, positions: 1, tokens: 5)  // left out
        let maps = try wm.finish(height: 2, width: 2)
        let ref: [Float] = (0..<4).map { Float($0) + 0.1 } + (0..<4).map { Float($0) + 0.25 } + [0, 0, 0, 0]
        let d = zip(maps, ref).map { abs($0 - $1) }.reduce(Float(0)) { $0.isNaN || $1.isNaN ? .nan : max($0, $1) }
        print("daam token-mean maps maxdiff \(d)")
        XCTAssertEqual(maps.count, ref.count)
        XCTAssertLessThanOrEqual(d, 1e-6)
        // Min-max normalised by default: the first word's map spans [0, 1].
        let norm = try r.wordMap(spec: "daam").instantiate()
        try norm.begin(WordMapImage(latentHeight: 2, latentWidth: 2, tokenCount: 5, promptTokens: 3, words: [[1]]))
        try norm.add(layer: layer, call: 0, probabilities: p, heads: 1, positions: 4, tokens: 5)
        let m = try norm.finish(height: 2, width: 2)
        print("daam min-max map \(m)")
        XCTAssertEqual(m.min(), 0)
        XCTAssertEqual(m.max() ?? 0, 1, accuracy: 1e-6)
    }

    func testParametersAndErrors() throws {
        let r = try Self.registry()
        XCTAssertThrowsError(try r.wordMap(spec: "daam:heads=x").instantiate()) {
            XCTAssertEqual("\($0)", "daam.create failed (LDMP_ERR_INVALID_ARGUMENT (1)): daam: heads='x': 'x' is no "
                           + "index or range A-B in 0…100000 (hint: e.g. heads=0;2-5)")
        }
        // Heads 1 only: a one-head capture has none of them.
        let wm = try r.wordMap(spec: "daam:heads=1;3-4").instantiate()
        try wm.begin(WordMapImage(latentHeight: 1, latentWidth: 1, tokenCount: 3, promptTokens: 1, words: [[1]]))
        XCTAssertThrowsError(try wm.finish(height: 1, width: 1)) {
            XCTAssertTrue("\($0)".contains("no capture of a chosen layer and step was added"), "\($0)")
        }
        XCTAssertThrowsError(try wm.add(layer: "up_blocks.1.attn2.probs", call: 0, probabilities: [0.5, 0.5, 0],
                                        heads: 1, positions: 1, tokens: 3)) {
            XCTAssertTrue("\($0)".contains("no head of 1,3,4 exists (the layer has 1)"), "\($0)")
        }
        XCTAssertThrowsError(try wm.begin(WordMapImage(latentHeight: 1, latentWidth: 1, tokenCount: 3, promptTokens: 1,
                                                       words: [[3]]))) {
            XCTAssertTrue("\($0)".contains("outside 0..<3"), "\($0)")
        }
    }

    /// A third party's word-map plugin in C (Examples/CWordMap): per position the largest head's mean token
    /// probability, full-resolution layers only, averaged over (layer, call), nearest upsampling. Exact values.
    func testCExampleWordPeak() throws {
        let r = try PluginRegistry.discover(extraPaths: [try TestLibraries.example("example_wordpeak")],
                                            useEnvironment: false, useExecutableFolder: false)
        let wm = try r.wordMap(spec: "example-wordpeak:threshold=0.2").instantiate()
        XCTAssertEqual(wm.maskThreshold, 0.2)
        try wm.begin(WordMapImage(latentHeight: 1, latentWidth: 2, tokenCount: 3, promptTokens: 1, words: [[1], [0, 1]]))
        // [heads 2, hw 2, S 3]: head 0 then head 1, position-major.
        let p: [Float] = [0.2, 0.5, 0.3, 0.1, 0.8, 0.1,
                          0.6, 0.3, 0.1, 0.3, 0.4, 0.3]
        try wm.add(layer: "down_blocks.0.attentions.0.transformer_blocks.0.attn2.probs", call: 0, probabilities: p,
                   heads: 2, positions: 2, tokens: 3)
        try wm.add(layer: "up_blocks.1.attentions.0.transformer_blocks.0.attn2.probs", call: 0,
                   probabilities: [0.9, 0.05, 0.05, 0.9, 0.05, 0.05], heads: 2, positions: 1, tokens: 3)  // left out
        let maps = try wm.finish(height: 2, width: 4)
        // word [1]: max(0.5, 0.3) = 0.5, max(0.8, 0.4) = 0.8; word [0, 1]: max(0.35, 0.45) = 0.45, max(0.45, 0.35).
        let ref: [Float] = [0.5, 0.5, 0.8, 0.8, 0.5, 0.5, 0.8, 0.8, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45]
        let d = zip(maps, ref).map { abs($0 - $1) }.reduce(Float(0)) { $0.isNaN || $1.isNaN ? .nan : max($0, $1) }
        print("example-wordpeak maps maxdiff \(d)")
        XCTAssertEqual(maps.count, ref.count)
        XCTAssertLessThanOrEqual(d, 1e-6)
    }

    func testValidatorPassesDAAM() throws {
        let dir = try XCTUnwrap(PluginRegistry.executableDirectory())
        let report = PluginValidator.validate(libraries: ["\(dir)/libDAAMWordMaps\(TestLibraries.suffix)"])
        print(report.table)
        XCTAssertTrue(report.passed, report.failures.map { "\($0.check): \($0.detail)" }.joined(separator: "\n"))
        let checks = Set(report.checks.filter { $0.plugin == "wordmap daam" }.map(\.check))
        for c in ["descriptor", "parameters", "create-destroy", "maps", "deterministic", "begin-resets", "empty-image",
                  "mask-threshold"] {
            XCTAssertTrue(checks.contains(c), "\(c) missing from \(checks.sorted())")
        }
    }
}
