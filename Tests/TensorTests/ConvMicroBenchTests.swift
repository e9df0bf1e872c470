// Micro-benchmark of conv2d's paths on the SD v1 UNet's convolution shapes (batch 2), interleaved in one process:
// im2col + sgemm, Winograd with float32 weights (transformed per call / kept in a WinogradWeightCache), Winograd
// with half weights (default 16 MB scratch / the former 72 MB). Prints effective GFLOP/s (direct
// convolution's 2·B·O·I·kh·kw·OH·OW per second) and the paths' maxdiff. By default the shapes run with 1/8 of the
// channels, once (seconds); LDMPROBE_CONV_BENCH=32 or 64 runs the full shapes at that latent size, 3 rounds each:
//   LDMPROBE_CONV_BENCH=32 swift test -c release --skip-build --disable-swift-testing --filter ConvMicroBench
import XCTest
import Foundation
import Tensor

final class ConvMicroBenchTests: XCTestCase {
    private struct Shape { var name: String; var ci, co, map, k, stride: Int }

    /// The UNet's conv kinds at latent `l`: 3×3 stride 1 per level (incl. a concatenated-skip input), the 3×3
    /// stride-2 downsamplers, and 1×1 shortcuts.
    private func shapes(latent l: Int) -> [Shape] {
        [Shape(name: "3x3 320", ci: 320, co: 320, map: l, k: 3, stride: 1),
         Shape(name: "3x3 640→320 skip", ci: 640, co: 320, map: l, k: 3, stride: 1),
         Shape(name: "3x3 640", ci: 640, co: 640, map: l / 2, k: 3, stride: 1),
         Shape(name: "3x3 1280", ci: 1280, co: 1280, map: l / 4, k: 3, stride: 1),
         Shape(name: "3x3 2560→1280 skip", ci: 2560, co: 1280, map: l / 4, k: 3, stride: 1),
         Shape(name: "3x3 1280 low", ci: 1280, co: 1280, map: l / 8, k: 3, stride: 1),
         Shape(name: "3x3 s2 320", ci: 320, co: 320, map: l, k: 3, stride: 2),
         Shape(name: "3x3 s2 640", ci: 640, co: 640, map: l / 2, k: 3, stride: 2),
         Shape(name: "1x1 640→320", ci: 640, co: 320, map: l, k: 1, stride: 1),
         Shape(name: "1x1 1280→640", ci: 1280, co: 640, map: l / 2, k: 1, stride: 1)]
    }

    func testConvPathsOnUNetShapes() {
        let env = ProcessInfo.processInfo.environment["LDMPROBE_CONV_BENCH"].flatMap(Int.init)
        let latent = env ?? 32, div = env == nil ? 8 : 1, rounds = env == nil ? 1 : 3
        print("conv micro-bench: latent \(latent), channels / \(div), batch 2, \(Compute.cores) threads, "
              + "\(rounds) round(s); effective GFLOP/s (direct conv FLOPs / s), best of rounds")
        for s in shapes(latent: latent) {
            let ci = s.ci / div, co = s.co / div, pad = s.k / 2
            let x = ConvReference.values([2, ci, s.map, s.map], seed: 1)
            var w = ConvReference.values([co, ci, s.k, s.k], seed: 2)
            w.data = w.data.map { $0 * 0.05 }                    // keeps outputs near unit scale
            let bias = ConvReference.values([co], seed: 3)
            let half = w.data.map { Float16($0) }
            let om = (s.map + 2 * pad - s.k) / s.stride + 1
            let flops = 2.0 * 2 * Double(co * ci * s.k * s.k * om * om)
            let winoApplies = s.k == 3 && s.stride == 1
            var best = [Double](repeating: .infinity, count: 5), bestCPU = best
            var outs = [Tensor?](repeating: nil, count: 5)
            let param = Parameter(w), cache = WinogradWeightCache()
            if winoApplies {   // the cached path's one-time transform stays out of the timings
                _ = x.conv2d(weight: param, bias: bias, stride: 1, padding: Padding2D(pad), algorithm: .winograd,
                             cache: cache)
            }
            for _ in 0..<rounds {
                for path in 0..<5 where path == 0 || winoApplies {
                    let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Profiler.cpuSeconds()
                    let y: Tensor
                    switch path {
                    case 0: y = x.conv2d(weight: w, bias: bias, stride: s.stride, padding: Padding2D(pad), algorithm: .im2col)
                    case 1: y = x.conv2d(weight: w, bias: bias, stride: s.stride, padding: Padding2D(pad), algorithm: .winograd)
                    case 2:
                        y = x.conv2d(weight: param, bias: bias, stride: 1, padding: Padding2D(pad),
                                     algorithm: .winograd, cache: cache)
                    default:
                        let algorithm: Conv2DAlgorithm = path == 3 ? .winograd : .winogradBudget(floats: 18 << 20)
                        y = half.withUnsafeBytes {
                            x.conv2d(weight: $0.baseAddress!, weightIsHalf: true, weightShape: w.shape, bias: bias,
                                     stride: s.stride, padding: Padding2D(pad), algorithm: algorithm)
                        }
                    }
                    best[path] = min(best[path], Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                    bestCPU[path] = min(bestCPU[path], Profiler.cpuSeconds() - c0)
                    outs[path] = y
                }
            }
            // Wall-clock GFLOP/s, and GFLOP per CPU-second (all threads; steadier on a loaded machine).
            let gf = best.map { flops / $0 / 1e9 }, gc = bestCPU.map { flops / $0 / 1e9 }
            var line = "  \(s.name) [2,\(ci),\(s.map),\(s.map)] → \(co)×\(om)²: im2col \(fmt(gf[0])) GFLOP/s "
                + "(\(fmt(gc[0])) per cpu-s)"
            if winoApplies, let a = outs[0], let b = outs[1], let k = outs[2], let c = outs[3], let c72 = outs[4] {
                let d = b.maxAbsDiff(a)
                line += ", winograd \(fmt(gf[1])) (\(fmt(gc[1])) per cpu-s, \(fmt(gc[1] / gc[0]))× cpu), "
                    + "cached \(fmt(gf[2])) (\(fmt(gc[2])), \(fmt(gc[2] / gc[1]))× per-call), "
                    + "half 16 MB \(fmt(gf[3])) (\(fmt(gc[3]))) vs 72 MB \(fmt(gf[4])) (\(fmt(gc[4])), "
                    + "\(fmt(gc[3] / gc[4]))×); maxdiff vs im2col \(d) (scale \(a.maxAbs)), half vs f32 "
                    + "\(c.maxAbsDiff(b)), cached vs per-call \(k.maxAbsDiff(b)), 16 vs 72 MB \(c.maxAbsDiff(c72))"
                XCTAssertLessThanOrEqual(d, 1e-5 * max(1, a.maxAbs), s.name)
                // Other blockings may take OpenBLAS's small-matrix kernels (other summation order): tolerance.
                XCTAssertLessThanOrEqual(k.maxAbsDiff(b), 1e-5 * max(1, a.maxAbs), s.name)
                XCTAssertLessThanOrEqual(c.maxAbsDiff(c72), 1e-5 * max(1, a.maxAbs), s.name)
            }
            print(line)
        }
        if Profiler.enabled { print(Profiler.report(runs: 1)) }   // LDMPROBE_PROFILE=1: time per conv stage
    }

    private func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}
