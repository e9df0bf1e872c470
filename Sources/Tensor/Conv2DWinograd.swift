// Winograd F(2×2, 3×3) convolution: 16 sgemms of transformed weights × transformed input tiles replace one sgemm
// of 2.25× the multiplies. Transforms run in CKernels (AVX2; the weights' AVX-512 where the CPU has it). Weights come
// either transformed once per layer (WinogradWeightCache, float32 residency) or raw [O, I, 3, 3] float32 / half,
// transformed per call block by block so no second copy of them outlives the call (half residency).
import CKernels
import Foundation

public enum Conv2DWinograd {
    /// Whether F(2×2, 3×3) pays for a convolution: 3×3, stride 1, and enough 2×2 output tiles that transforming
    /// the weights (∝ O·I, memory-bound) is small next to the products (∝ O·I·tiles). Measured (ConvMicroBenchTests,
    /// per CPU-second): ≥ 64 tiles 1.5–2.2× im2col; 32 tiles (8×8 maps, batch 2) even with float32 weights, but
    /// 1.1–1.3× with half ones (half the bytes to read, and im2col would widen them in a separate pass first).
    /// One threshold (32) for both residencies: the algorithm, hence every rounding, must not depend on how the
    /// weights are held, so a fp16 file kept half gives exactly the values of the same file widened at load.
    static func applies(kh: Int, kw: Int, stride: Int, ci: Int, co: Int, tiles: Int, weightIsHalf _: Bool) -> Bool {
        kh == 3 && kw == 3 && stride == 1 && tiles >= 32 && ci >= 8 && co >= 8
    }

    /// Scratch of one call in floats (16 MB, freed after the call): transformed input tiles V (16 · I per tile of a
    /// chunk), products M (16 per output channel and tile) and, for weights not transformed yet, U of one block of
    /// output channels (16 · I each). Below glibc's 32 MB mmap threshold (Compute), so it comes from the heap.
    /// `LDMPROBE_WINO_SCRATCH_MB` overrides it (A/B runs; the former three 24 MB buffers: 72).
    public static let scratchBudget = min(4096, max(1, Int(ProcessInfo.processInfo.environment["LDMPROBE_WINO_SCRATCH_MB"]
        ?? "") ?? 16)) << 18     // 1 MB … 4 GB: a huge value must not overflow the shift

    /// U [16, O, I] (u[ξ · O · I + o · I + c]) of w [O, I, 3, 3] read as float32 or half: what `run` multiplies by.
    static func transform(weight: UnsafeRawPointer, weightIsHalf: Bool, co: Int, ci: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: 16 * co * ci) { buf, count in
            let u = buf.baseAddress!
            Profiler.time("conv.wino.weights") {
                parallelFor(co, minPerThread: 4) { o in
                    ldmp_wino_weights(weight, weightIsHalf ? 1 : 0, Int32(ci), Int32(o), Int32(o + 1), u + o * ci,
                                      Int64(co * ci))
                }
            }
            count = 16 * co * ci
        }
    }

    /// Output channels per block and tiles per chunk within `budget` floats of scratch. With U given, whole O
    /// while chunks keep ≥ 64 tiles; without, U of a block takes up to half or a quarter of the budget.
    static func blocking(ci: Int, co: Int, tiles: Int, transformed: Bool, budget: Int, maxTiles: Int,
                         maxOutChannels: Int) -> (outChannels: Int, tiles: Int) {
        var ob = min(co, maxOutChannels)
        if transformed {
            let want = min(tiles, 64)
            if 16 * (ci + ob) * want > budget { ob = max(1, min(ob, budget / (16 * want) - ci)) }
        } else {
            // U of a block: up to half the budget, a quarter on maps of < 64 tiles (8×8 at batch 2; ConvMicroBench,
            // half weights: 1.2–1.4× there; on 16×16 maps the smaller blocks cost 20% in the UNet at latent 64).
            ob = max(1, min(ob, budget / (tiles >= 64 ? 2 : 4) / (16 * ci)))
        }
        let blocks = (co + ob - 1) / ob
        ob = (co + blocks - 1) / blocks                            // equal blocks (no ragged small last one)
        let room = budget - (transformed ? 0 : 16 * ob * ci)
        let tn = min(max(8, room / (16 * (ci + ob))), tiles, maxTiles)
        let chunks = (tiles + tn - 1) / tn
        return (ob, (tiles + chunks - 1) / chunks)                 // equal chunks
    }

    /// Floats the transforms write in one call on half (not yet transformed) weights with `budget` floats of
    /// scratch: the weights once per tile chunk or the input once per block of output channels, whichever loop
    /// `run` puts outside. What a smaller scratch costs.
    public static func transformFloats(ci: Int, co: Int, tiles: Int, budget: Int) -> Int {
        let (ob, tn) = blocking(ci: ci, co: co, tiles: tiles, transformed: false, budget: budget, maxTiles: .max,
                                maxOutChannels: .max)
        let blocks = (co + ob - 1) / ob, chunks = (tiles + tn - 1) / tn
        return 16 * min(co * ci * chunks + ci * tiles, co * ci + ci * tiles * blocks)
    }

    /// x [B, I, H, W] ⊛ weight [O, I, 3, 3] (+ bias [O]) → out [B, O, OH, OW], stride 1, zero padding `pad`.
    /// `upsampled`: x holds [B, I, H / 2, W / 2] (H, W even) and is read nearest ×2 upsampled, never materialised.
    /// `transformed`: U [16, O, I] from `transform` (then `weight` is not read). `budget` (floats of scratch),
    /// `maxTiles` / `maxOutChannels` shrink the chunks and blocks (tests).
    static func run(x: UnsafePointer<Float>, b: Int, ci: Int, h: Int, w: Int, upsampled: Bool = false,
                    weight: UnsafeRawPointer, weightIsHalf: Bool, transformed: UnsafePointer<Float>? = nil, co: Int,
                    pad: Padding2D, oh: Int, ow: Int, bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                    budget: Int = scratchBudget, maxTiles: Int = .max, maxOutChannels: Int = .max) {
        precondition(!upsampled || (h % 2 == 0 && w % 2 == 0), "Winograd: an upsampled input has even sizes")
        let tilesH = (oh + 1) / 2, tilesW = (ow + 1) / 2, tiles = b * tilesH * tilesW
        var g = ldmp_wino_geometry(batch: Int32(b), channels: Int32(ci), height: Int32(h), width: Int32(w),
                                   out_height: Int32(oh), out_width: Int32(ow), pad_top: Int32(pad.top),
                                   pad_left: Int32(pad.left), tiles_h: Int32(tilesH), tiles_w: Int32(tilesW),
                                   upsampled: upsampled ? 1 : 0)
        guard tiles > 0, co > 0 else { return }
        // An upsampled input with odd padding repeats the middle two rows (columns) of every 4×4 tile: d1 = d2, so
        // row (column) 2 of Bᵀ d B, d2 − d1, is exactly 0 and so is M there — 7 of the 16 products (4 with one odd
        // pad) are zeros, set instead of multiplied (same values: U · 0 sums to 0).
        let zeroRow = upsampled && pad.top % 2 == 1, zeroColumn = upsampled && pad.left % 2 == 1
        let live = (0..<16).map { !(zeroRow && $0 / 4 == 2) && !(zeroColumn && $0 % 4 == 2) }
        let points = (0..<16).filter { live[$0] }
        let (ob, tn) = blocking(ci: ci, co: co, tiles: tiles, transformed: transformed != nil, budget: budget,
                                maxTiles: maxTiles, maxOutChannels: maxOutChannels)
        let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * ci * tn)
        let u = transformed == nil ? UnsafeMutablePointer<Float>.allocate(capacity: 16 * ob * ci) : nil
        let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * ob * tn)
        defer { v.deallocate(); u?.deallocate(); m.deallocate() }
        withUnsafePointer(to: &g) { gp in
            func input(_ t0: Int, _ n: Int) {
                Profiler.time("conv.wino.input") {
                    parallelFor(ci, minPerThread: 4) { c in
                        ldmp_wino_input(x, gp, Int64(t0), Int64(n), Int32(c), Int32(c + 1), v + c * n, Int64(ci * n))
                    }
                }
            }
            func weights(_ o0: Int, _ on: Int) {
                guard let u else { return }
                Profiler.time("conv.wino.weights") {
                    parallelFor(on, minPerThread: 4) { o in
                        ldmp_wino_weights(weight, weightIsHalf ? 1 : 0, Int32(ci), Int32(o0 + o), Int32(o0 + o + 1),
                                          u + o * ci, Int64(on * ci))
                    }
                }
            }
            func products(_ o0: Int, _ on: Int, _ t0: Int, _ n: Int) {
                // U[ξ] of the block: rows o0 ..< o0 + on of the cached [O, I], or the block's own [on, I].
                let (ua, ustride) = transformed.map { ($0 + o0 * ci, co * ci) } ?? (UnsafePointer(u!), on * ci)
                Profiler.time("conv.wino.sgemm") {
                    for xi in 0..<16 where !live[xi] { (m + xi * on * n).update(repeating: 0, count: on * n) }
                    Compute.withSingleThreadedBLAS {
                        Compute.concurrentTasks(points.count, scratch: 0) { p, _ in
                            // M[ξ] [on, n] = U[ξ] [on, I] · V[ξ] [I, n]
                            let xi = points[p]
                            sgemm(m: on, n: n, k: ci, a: ua + xi * ustride, lda: ci, b: v + xi * ci * n, ldb: n,
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
            }
            // Tile chunks outside repeat the weight transform per chunk (O·I each), blocks of output channels
            // outside repeat the input transform per block (I·tiles each): the loop that repeats less goes outside.
            let blocks = (co + ob - 1) / ob, chunks = (tiles + tn - 1) / tn
            let chunksOutside = transformed != nil || co * ci * (chunks - 1) <= ci * tiles * (blocks - 1)
            for a in 0..<(chunksOutside ? chunks : blocks) {
                for b in 0..<(chunksOutside ? blocks : chunks) {
                    let (chunk, block) = chunksOutside ? (a, b) : (b, a)
                    let t0 = chunk * tn, n = min(tn, tiles - t0), o0 = block * ob, on = min(ob, co - o0)
                    if !chunksOutside || b == 0 { input(t0, n) }
                    if chunksOutside || b == 0 { weights(o0, on) }
                    products(o0, on, t0, n)
                }
            }
        }
    }
}
