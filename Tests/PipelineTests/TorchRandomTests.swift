// Bit-exact parity of TorchGenerator with `torch.manual_seed(s); torch.randn/rand(shape)` (torch 2.13 CPU, AVX2).
// Fixture: tools/make_rng_fixtures.py → Tests/Fixtures/rng/cases.json.
import Foundation
import Pipeline
import XCTest
import Tensor

final class TorchRandomTests: XCTestCase {
    private struct Case: Decodable {
        var seed: UInt64
        var shape: [Int]?
        var sequence: [[Int]]?
        var op: String
        var fnv1a64: String?
        var head: [UInt32]?
        var tail: [UInt32]?
        var values: [UInt32]?
    }
    private struct Fixture: Decodable { var torch: String; var cases: [Case] }

    private static let fixtureDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/rng")

    private func loadFixture() throws -> Fixture {
        let data = try Data(contentsOf: Self.fixtureDir.appendingPathComponent("cases.json"))
        return try JSONDecoder().decode(Fixture.self, from: data)
    }

    private func fnv1a64(_ values: [Float]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in values {
            var w = v.bitPattern
            for _ in 0..<4 {
                h = (h ^ UInt64(w & 0xff)) &* 0x100_0000_01b3
                w >>= 8
            }
        }
        return String(format: "%016llx", h)
    }

    func testMT19937FirstWordsMatchReference() {
        // std::mt19937(5489) — the reference sequence every MT19937 implementation shares.
        var mt = MT19937(seed: 5489)
        XCTAssertEqual(mt.next32(), 3_499_211_612)
        XCTAssertEqual(mt.next32(), 581_869_302)
        XCTAssertEqual(mt.next32(), 3_890_346_734)
    }

    func testRandnAndRandBitExact() throws {
        let fixture = try loadFixture()
        var checked = 0, mismatched = 0, mismatchedElements = 0
        var maxdiff: Float = 0
        for c in fixture.cases {
            if let seq = c.sequence {
                var g = TorchGenerator(seed: c.seed)
                var all: [Float] = []
                for shape in seq { all += g.randn(count: shape.reduce(1, *)) }
                XCTAssertEqual(all.map(\.bitPattern), c.values, "seed \(c.seed) sequence \(seq)")
                checked += 1
                continue
            }
            guard let shape = c.shape else { continue }
            var g = TorchGenerator(seed: c.seed)
            let n = shape.reduce(1, *)
            let v = c.op == "rand" ? g.rand(count: n) : g.randn(count: n)
            let ok = fnv1a64(v) == c.fnv1a64 && Array(v.prefix(8)).map(\.bitPattern) == c.head
                && Array(v.suffix(8)).map(\.bitPattern) == c.tail
            if !ok {
                mismatched += 1
                XCTFail("\(c.op) seed \(c.seed) shape \(shape): bits differ from torch")
                for (a, b) in zip(v.prefix(8), c.head!) where a.bitPattern != b {
                    mismatchedElements += 1
                    maxdiff = maxdiff.nanAwareMax(abs(a - Float(bitPattern: b)))
                }
            }
            checked += 1
        }
        print("TorchRandomTests: \(checked) cases (torch \(fixture.torch)), \(mismatched) mismatched, " +
              "maxdiff over heads \(maxdiff) (\(mismatchedElements) elements)")
    }

    func testFullLatentMatchesNpy() throws {
        // [1, 4, 64, 64] for seed 5107435 (a dataset seed), whole tensor compared bit for bit.
        let url = Self.fixtureDir.appendingPathComponent("randn_1x4x64x64_seed5107435.npy")
        let bytes = try Data(contentsOf: url)
        let headerLen = Int(bytes[8]) | (Int(bytes[9]) << 8)
        let payload = bytes.subdata(in: (10 + headerLen)..<bytes.count)
        let ref = payload.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        var g = TorchGenerator(seed: UInt64(5_107_435))
        let v = g.randn(count: 4 * 64 * 64)
        var differing = 0
        var maxdiff: Float = 0
        for (a, b) in zip(v, ref) where a.bitPattern != b.bitPattern {
            differing += 1
            maxdiff = maxdiff.nanAwareMax(abs(a - b))
        }
        print("TorchRandomTests: [1,4,64,64] seed 5107435: \(differing) of \(ref.count) differ, maxdiff \(maxdiff)")
        XCTAssertEqual(differing, 0)
    }
}
