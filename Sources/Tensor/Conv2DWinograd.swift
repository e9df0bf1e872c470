// Winograd F(2×2, 3×3) convolution: 16 sgemms of transformed weights × transformed input tiles replace one sgemm
// of 2.25× the multiplies. Transforms run in CKernels (AVX2); weights are transformed per call from the caller's
// [O, I, 3, 3] float32 or half, so no second copy of them outlives the call.
import CKernels

enum Conv2DWinograd {
    /// Whether F(2×2, 3×3) pays for a convolution: 3×3, stride 1, and enough 2×2 output tiles that transforming
    /// the weights (∝ O·I, memory-bound) is small next to the products (∝ O·I·tiles). Measured (ConvMicroBenchTests,
    /// per CPU-second): ≥ 64 tiles 1.5–2.2× im2col; 32 tiles (8×8 maps, batch 2) even with float32 weights, but
    /// 1.1–1.3× with half ones (half the bytes to read, and im2col would widen them in a separate pass first).
    /// One threshold (32) for both residencies: the algorithm, hence every rounding, must not depend on how the
    /// weights are held, so a fp16 file kept half gives exactly the values of the same file widened at load.
    static func applies(kh: Int, kw: Int, stride: Int, ci: Int, co: Int, tiles: Int, weightIsHalf _: Bool) -> Bool {
        kh == 3 && kw == 3 && stride == 1 && tiles >= 32 && ci >= 8 && co >= 8
    }

    /// Scratch budgets in floats (24 MB each, freed after the call): transformed input tiles (16 · I · tiles of one
    /// chunk), transformed weights and products of one block of output channels. Below glibc's 32 MB mmap threshold
    /// (Compute), so the buffers come from the heap again instead of fresh pages each call.
    static let inputBudget = 6 << 20, weightBudget = 6 << 20, productBudget = 6 << 20

    /// x [B, I, H, W] ⊛ weight [O, I, 3, 3] (+ bias [O]) → out [B, O, OH, OW], stride 1, zero padding `pad`;
    /// `maxTiles` / `maxOutChannels` shrink the chunks below the budgets (tests).
    static func run(x: UnsafePointer<Float>, b: Int, ci: Int, h: Int, w: Int, weight: UnsafeRawPointer,
                    weightIsHalf: Bool, co: Int, pad: Padding2D, oh: Int, ow: Int, bias: UnsafePointer<Float>?,
                    out: UnsafeMutablePointer<Float>, maxTiles: Int = .max, maxOutChannels: Int = .max) {
        let tilesH = (oh + 1) / 2, tilesW = (ow + 1) / 2, tiles = b * tilesH * tilesW
        var g = ldmp_wino_geometry(batch: Int32(b), channels: Int32(ci), height: Int32(h), width: Int32(w),
                                   out_height: Int32(oh), out_width: Int32(ow), pad_top: Int32(pad.top),
                                   pad_left: Int32(pad.left), tiles_h: Int32(tilesH), tiles_w: Int32(tilesW))
        guard tiles > 0, co > 0 else { return }
        // Tile chunks of equal size within the input budget; blocks of output channels within the other two.
        let chunks = max((tiles - 1) / maxTiles + 1, (16 * ci * tiles + inputBudget - 1) / inputBudget)
        let tn = (tiles + chunks - 1) / chunks
        let ob = max(1, min(co, maxOutChannels, weightBudget / (16 * ci), productBudget / (16 * tn)))
        let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * ci * tn)
        let u = UnsafeMutablePointer<Float>.allocate(capacity: 16 * ob * ci)
        let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * ob * tn)
        defer { v.deallocate(); u.deallocate(); m.deallocate() }
        withUnsafePointer(to: &g) { gp in
            var t0 = 0
            while t0 < tiles {
                let n = min(tn, tiles - t0)
                Profiler.time("conv.wino.input") {
                    parallelFor(ci, minPerThread: 4) { c in
                        ldmp_wino_input(x, gp, Int64(t0), Int64(n), Int32(c), Int32(c + 1), v + c * n, Int64(ci * n))
                    }
                }
                var o0 = 0
                while o0 < co {
                    let on = min(ob, co - o0)
                    Profiler.time("conv.wino.weights") {
                        parallelFor(on, minPerThread: 4) { o in
                            ldmp_wino_weights(weight, weightIsHalf ? 1 : 0, Int32(ci), Int32(o0 + o),
                                              Int32(o0 + o + 1), u + o * ci, Int64(on * ci))
                        }
                    }
                    Profiler.time("conv.wino.sgemm") {
                        Compute.withSingleThreadedBLAS {
                            Compute.concurrentTasks(16, scratch: 0) { xi, _ in
                                // M[ξ] [on, n] = U[ξ] [on, I] · V[ξ] [I, n]
                                sgemm(m: on, n: n, k: ci, a: u + xi * on * ci, lda: ci, b: v + xi * ci * n, ldb: n,
                                      c: m + xi * on * n, ldc: n)
                            }
                        }
                    }
                    Profiler.time("conv.wino.output") {
                        parallelFor(on, minPerThread: 4) { o in
                            ldmp_wino_output(m + o * n, Int64(on * n), gp, Int64(t0), Int64(n), Int32(o0 + o),
                                             Int32(o0 + o + 1), Int32(co), bias, out)
                        }
                    }
                    o0 += on
                }
                t0 += n
            }
        }
    }
}
