// Micro-benchmark of linear on the SD v1 UNet's transformer shapes (batch 2, latent 32 by default), interleaved in
// one process: float32 weights, and half weights through the thread-block path at several block budgets
// (Tensor.linearBlockFloats). Prints GFLOP per wall second and per CPU second, best of rounds, and each half
// variant's maxdiff against float32 on the same (binary16) values. Small shapes (channels / 8, one round) by
// default; LDMPROBE_LINEAR_BENCH=32 or 64 runs the full shapes at that latent size, 3 rounds:
//   LDMPROBE_LINEAR_BENCH=32 swift test -c release --skip-build --disable-swift-testing --filter LinearMicroBench
import Foundation
import Tensor
import XCTest

final class LinearMicroBenchTests: XCTestCase {
    func testLinearPathsOnUNetShapes() {
        let env = ProcessInfo.processInfo.environment["LDMPROBE_LINEAR_BENCH"].flatMap(Int.init)
        let latent = env ?? 32, div = env == nil ? 8 : 1, rounds = env == nil ? 1 : 3
        let savedFloats = Tensor.linearBlockFloats
        defer { Tensor.linearBlockFloats = savedFloats }
        // (rows M, in I, out O) per level: q/k/v/out, GEGLU in, feed-forward out, cross-attention k/v (77 tokens).
        var shapes: [(m: Int, i: Int, o: Int)] = []
        for (level, c) in [(1, 320), (2, 640), (4, 1280)] {
            let m = 2 * (latent / level) * (latent / level)
            shapes += [(m, c / div, c / div), (m, c / div, 8 * c / div), (m, 4 * c / div, c / div)]
        }
        shapes.append((154, 768 / div, 1280 / div))
        let budgets = [1 << 20, 1 << 19, 1 << 18, 1 << 21].map { $0 / (div * div) }
        print("linear micro-bench: latent \(latent), channels / \(div), \(Compute.cores) threads, \(rounds) round(s); "
              + "GFLOP/s wall, GFLOP/CPU-s, best of rounds; half blocks = linearBlockFloats")
        var seed: UInt64 = 1
        func values(_ n: Int) -> [Float] {
            (0..<n).map { _ in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(seed >> 40) - (1 << 23)) / Float(1 << 23)
            }
        }
        for s in shapes {
            let x = Tensor(shape: [s.m, s.i], data: values(s.m * s.i))
            let w = Tensor(shape: [s.o, s.i], data: values(s.o * s.i).map { Float(Float16($0 * 0.05)) })
            let full = Parameter(w), half = Parameter.narrowing(w)
            let flops = 2.0 * Double(s.m * s.i * s.o)
            let variants: [(String, Parameter, Int)] = [("fp32", full, savedFloats)]
                + budgets.map { ("half \($0 >> 10)K", half, $0) }
            var best = [(wall: Double, cpu: Double)](repeating: (.infinity, .infinity), count: variants.count)
            var outs = [Tensor?](repeating: nil, count: variants.count)
            for _ in 0..<rounds {
                for (v, variant) in variants.enumerated() {
                    Tensor.linearBlockFloats = variant.2
                    let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Profiler.cpuSeconds()
                    let y = x.linear(weight: variant.1)
                    let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, cpu = Profiler.cpuSeconds() - c0
                    best[v] = (min(best[v].wall, wall), min(best[v].cpu, cpu))
                    outs[v] = y
                }
            }
            var line = "[\(s.m), \(s.i)] · [\(s.o), \(s.i)]ᵀ:"
            for (v, variant) in variants.enumerated() {
                let d = outs[v]!.maxAbsDiff(outs[0]!)
                line += String(format: " %@ %.1f / %.1f", variant.0, flops / best[v].wall / 1e9, flops / best[v].cpu / 1e9)
                if v > 0 { line += " (maxdiff \(d))" }
                XCTAssertFalse(d.isNaN)
                XCTAssertLessThanOrEqual(d, 1e-4 * max(1, outs[0]!.maxAbs))
            }
            print(line)
        }
    }
}
