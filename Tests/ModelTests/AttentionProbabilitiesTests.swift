// The cross-attention probabilities capture (`…attn2.probs`): rows are distributions, probabilities · V is the
// blocked attention's output, and what capturing them costs (printed: a micro-bench, meaningful as a ratio only on
// a loaded machine).
import Foundation
import Models
import Tensor
import XCTest

final class AttentionProbabilitiesTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var s = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return Tensor(shape: shape, data: (0 ..< shape.reduce(1, *)).map { _ in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            return Float(Double(s % 20_001) / 10_000 - 1)
        })
    }

    func testProbabilitiesTimesValuesIsTheAttention() {
        let (b, t, sl, c, heads) = (2, 96, 77, 64, 8)
        let q = random([b, t, c], seed: 1), k = random([b, sl, c], seed: 2), v = random([b, sl, c], seed: 3)
        let p = Attention.probabilities(q: q, k: k, heads: heads)                     // [B, heads, T, S]
        XCTAssertEqual(p.shape, [b, heads, t, sl])
        var rowError: Float = 0
        for r in 0 ..< b * heads * t {
            let sum = p.data[r * sl ..< (r + 1) * sl].reduce(0, +)
            rowError = max(rowError, abs(sum - 1))
        }
        // Σ_s p[b, h, t, s] · v[b, s, h·d + j] against the blocked kernel.
        let d = c / heads
        var out = [Float](repeating: 0, count: b * t * c)
        for bi in 0 ..< b { for h in 0 ..< heads { for ti in 0 ..< t { for j in 0 ..< d {
            var acc: Float = 0
            for si in 0 ..< sl { acc += p.data[((bi * heads + h) * t + ti) * sl + si] * v.data[(bi * sl + si) * c + h * d + j] }
            out[(bi * t + ti) * c + h * d + j] = acc
        } } } }
        let ref = Tensor.attention(q: q, k: k, v: v, heads: heads)
        let diff = Tensor.maxAbsDiff(out, ref.data)
        print("attn2.probs: max |row sum − 1| \(rowError), P·V vs blocked attention maxdiff \(diff)")
        XCTAssertLessThanOrEqual(rowError, 1e-5)
        XCTAssertLessThanOrEqual(diff, 1e-5)
    }

    /// SD v1's largest cross-attention (down_blocks.0: 4096 queries, 320 channels, 8 heads, 77 keys): the blocked
    /// attention alone and the probabilities recomputed for a capture. Prints the times and their ratio.
    func testCaptureCostMicroBench() {
        let q = random([2, 4096, 320], seed: 4), k = random([2, 77, 320], seed: 5), v = random([2, 77, 320], seed: 6)
        func best(_ f: () -> Tensor) -> Double {
            var m = Double.infinity
            for _ in 0 ..< 5 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = f()
                m = min(m, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            return m
        }
        let plain = best { Tensor.attention(q: q, k: k, v: v, heads: 8) }
        let probs = best { Attention.probabilities(q: q, k: k, heads: 8) }
        print(String(format: "attn2 [2, 4096, 320] × 77 keys: blocked attention %.2f ms, probabilities for a capture "
                     + "%.2f ms (×%.2f, paid only when captured; uncaptured cost: one set lookup per call)",
                     plain, probs, probs / plain))
        XCTAssertTrue(plain.isFinite && probs.isFinite)
    }

    /// The tiny UNet's whole forward (2×4×8×8, 16 cross-attentions) with no tap, with a tap that takes the
    /// self-attention outputs only (every attn2 then asks once whether its probabilities are wanted: the
    /// uncaptured cost), and with the probabilities captured too. The three alternate, best of 15 rounds each (a
    /// loaded machine slows them alike); asserts the uncaptured forward's output equals the plain one bit for bit.
    func testUncapturedForwardCostMicroBench() throws {
        let unet = try UNetTests.loadUNet()
        let io = try ModelFixtures.io("unet_io.safetensors")
        let x = try io.tensor("a.sample"), t = try io.tensor("a.timesteps").data, c = try io.tensor("a.encoder_hidden_states")
        let probsTap = RecordingTap { $0.hasSuffix("attn1") || $0.hasSuffix(".probs") }
        let taps: [ActivationTap?] = [nil, RecordingTap { $0.hasSuffix("attn1") }, probsTap]
        var best = [Double](repeating: .infinity, count: taps.count), outs = [Tensor](repeating: Tensor(zeros: [1]), count: 3)
        for _ in 0 ..< 15 {
            for (k, tap) in taps.enumerated() {
                unet.attach(tap)
                let t0 = DispatchTime.now().uptimeNanoseconds
                outs[k] = try unet(x, timesteps: t, encoderHiddenStates: c)
                best[k] = min(best[k], Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
        }
        unet.attach(nil)
        print(String(format: "tiny UNet forward: no tap %.2f ms, attn1 tap (probabilities not captured) %.2f ms, "
                     + "attn1 + attn2.probs %.2f ms", best[0], best[1], best[2]))
        XCTAssertEqual(outs[1].maxAbsDiff(outs[0]), 0, "an uncaptured probability point must not change the forward pass")
        XCTAssertEqual(outs[2].maxAbsDiff(outs[0]), 0, "capturing the probabilities must not change the forward pass")
        XCTAssertEqual(probsTap.seen.keys.filter { $0.hasSuffix(".probs") }.count, 16)
    }
}
