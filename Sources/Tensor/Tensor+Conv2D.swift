// 2-D convolution (torch.nn.Conv2d, groups 1) on NCHW tensors: Winograd F(2×2, 3×3) for 3×3 stride-1 maps with
// enough tiles (Conv2DWinograd), else im2col + sgemm over the whole batch or in tiles of output rows.
import COpenBLAS
import CKernels

/// Zero padding on each side of a 2-D convolution's input (torch's `padding=p` is all four equal;
/// diffusers' VAE downsampler pads (left 0, right 1, top 0, bottom 1)).
public struct Padding2D: Equatable {
    public var top, bottom, left, right: Int
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }
    /// The same padding on all four sides.
    public init(_ p: Int) { self.init(top: p, bottom: p, left: p, right: p) }
}

extension Tensor {
    /// torch.nn.functional.conv2d: self [B, I, H, W], weight [O, I, kh, kw], bias [O] or nil →
    /// [B, O, OH, OW] with OH = (H + top + bottom − kh) / stride + 1.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
        conv2d(weight: weight, bias: bias, stride: stride, padding: Padding2D(padding))
    }

    /// conv2d with separate padding per side. `tileRows` forces the tiled im2col path with that many output rows
    /// per tile (tests); nil tiles maps of ≥ 32×32 outputs automatically. `algorithm` forces a kernel (tests, benches).
    /// `upsampled`: convolve self's nearest ×2 upsampling [B, I, 2H, 2W] (diffusers Upsample2D), which the Winograd
    /// path reads from self without materialising it (the other paths upsample first: same values either way).
    public func conv2d(weight: Tensor, bias: Tensor?, stride: Int, padding pad: Padding2D,
                       tileRows: Int? = nil, algorithm: Conv2DAlgorithm = .auto, upsampled: Bool = false) -> Tensor {
        precondition(weight.shape.count == 4, "conv2d: weight must be [O,I,kh,kw], got \(weight.shape)")
        return weight.data.withUnsafeBytes { wp in
            conv2d(weight: wp.baseAddress!, weightIsHalf: false, weightShape: weight.shape, bias: bias, stride: stride,
                   padding: pad, tileRows: tileRows, algorithm: algorithm, transformed: nil, upsampled: upsampled,
                   capacity: 0)
        }
    }

    /// conv2d with the weight in either residency (Parameter): half weights go to the raw entry point below,
    /// which widens them inside the Winograd weight transform or, on the im2col path, into a copy for this call.
    /// `cache` (float32 weights, when WinogradWeightCache.enabled): the Winograd path takes the layer's transformed
    /// weights from it, computing them at the first such call. `upsampled`: as above; `capacity`: elements the
    /// result's buffer has room for (`Tensor(uninitialized:capacity:)`), where the Winograd path runs;
    /// `scratch`: floats of Winograd scratch (nil: Conv2DWinograd.scratchBudget).
    public func conv2d(weight: Parameter, bias: Tensor?, stride: Int, padding pad: Padding2D,
                       tileRows: Int? = nil, algorithm: Conv2DAlgorithm = .auto,
                       cache: WinogradWeightCache? = nil, upsampled: Bool = false, capacity: Int = 0,
                       scratch: Int? = nil) -> Tensor {
        weight.withRawValues { raw, isHalf in
            let keep = isHalf || !WinogradWeightCache.enabled ? nil : cache
            return conv2d(weight: raw, weightIsHalf: isHalf, weightShape: weight.shape, bias: bias, stride: stride,
                          padding: pad, tileRows: tileRows, algorithm: algorithm,
                          transformed: keep.map { c in { c.transformed(raw.assumingMemoryBound(to: Float.self),
                                                                       co: weight.shape[0], ci: weight.shape[1]) } },
                          upsampled: upsampled, capacity: capacity, scratch: scratch)
        }
    }

    /// 3×3 stride-1 conv2d by Winograd on the transformed weights `cache` holds (filled from a weight of shape
    /// `weightShape` [O, I, 3, 3]), for any map size; nil when the cache does not hold them.
    /// `upsampled`, `capacity`, `scratch`: as in conv2d(weight: Parameter, …).
    public func conv2d(winograd cache: WinogradWeightCache, weightShape: [Int], bias: Tensor?,
                       padding pad: Padding2D, upsampled: Bool = false, capacity: Int = 0,
                       scratch: Int? = nil) -> Tensor? {
        let u = cache.values
        guard weightShape.count == 4, weightShape[2] == 3, weightShape[3] == 3,
              u.count == 16 * weightShape[0] * weightShape[1] else { return nil }
        return u.withUnsafeBytes { up in      // U stands in for the raw weight, which the Winograd path never reads
            conv2d(weight: up.baseAddress!, weightIsHalf: false, weightShape: weightShape, bias: bias, stride: 1,
                   padding: pad, tileRows: nil, algorithm: .winograd, transformed: { u }, upsampled: upsampled,
                   capacity: capacity, scratch: scratch)
        }
    }

    /// Whether `conv2d(..., algorithm: .auto)` takes the Winograd path for this input and weight shape: it then
    /// reads a half weight whole without widening it first, so layers need not split it into blocks.
    /// `upsampled`: for self's nearest ×2 upsampling.
    public func conv2dTakesWinograd(weightShape: [Int], stride: Int, padding pad: Padding2D, weightIsHalf: Bool,
                                    upsampled: Bool = false) -> Bool {
        guard shape.count == 4, weightShape.count == 4 else { return false }
        let f = upsampled ? 2 : 1
        let oh = (f * shape[2] + pad.top + pad.bottom - weightShape[2]) / stride + 1
        let ow = (f * shape[3] + pad.left + pad.right - weightShape[3]) / stride + 1
        return Conv2DWinograd.applies(kh: weightShape[2], kw: weightShape[3], stride: stride, ci: shape[1],
                                      co: weightShape[0], tiles: shape[0] * ((oh + 1) / 2) * ((ow + 1) / 2),
                                      weightIsHalf: weightIsHalf)
    }

    /// conv2d on weights the caller holds as raw [O, I, kh, kw] float32 or IEEE half (`weightIsHalf`): Winograd
    /// widens half weights while transforming them, the im2col path block by block into a buffer for this call.
    public func conv2d(weight: UnsafeRawPointer, weightIsHalf: Bool, weightShape: [Int], bias: Tensor?, stride: Int,
                       padding pad: Padding2D, tileRows: Int? = nil, algorithm: Conv2DAlgorithm = .auto) -> Tensor {
        conv2d(weight: weight, weightIsHalf: weightIsHalf, weightShape: weightShape, bias: bias, stride: stride,
               padding: pad, tileRows: tileRows, algorithm: algorithm, transformed: nil, upsampled: false, capacity: 0)
    }

    /// The raw entry point; `transformed` hands out U [16, O, I] of a float32 weight when the Winograd path runs.
    /// `upsampled` input: the Winograd path reads it in place, the others materialise it first.
    private func conv2d(weight: UnsafeRawPointer, weightIsHalf: Bool, weightShape: [Int], bias: Tensor?, stride: Int,
                        padding pad: Padding2D, tileRows: Int?, algorithm: Conv2DAlgorithm,
                        transformed: (() -> [Float])?, upsampled: Bool, capacity: Int,
                        scratch: Int? = nil) -> Tensor {
        precondition(shape.count == 4 && weightShape.count == 4, "conv2d: needs [B,I,H,W] and [O,I,kh,kw]")
        let (co, kh, kw) = (weightShape[0], weightShape[2], weightShape[3])
        precondition(weightShape[1] == shape[1], "conv2d: input has \(shape[1]) channels, weight expects \(weightShape[1])")
        if let bias { precondition(bias.count == co, "conv2d: bias has \(bias.count) elements, expected \(co)") }
        let (h, w) = upsampled ? (2 * shape[2], 2 * shape[3]) : (shape[2], shape[3])      // the input convolved
        let oh = (h + pad.top + pad.bottom - kh) / stride + 1
        let ow = (w + pad.left + pad.right - kw) / stride + 1
        let tiles = shape[0] * ((oh + 1) / 2) * ((ow + 1) / 2)
        var blocks: (tiles: Int, outChannels: Int, budget: Int)? = nil
        let whole = (tiles: Int.max, outChannels: Int.max, budget: max(1, scratch ?? Conv2DWinograd.scratchBudget))
        switch algorithm {
        case .auto:
            if Conv2DWinograd.applies(kh: kh, kw: kw, stride: stride, ci: shape[1], co: co, tiles: tiles,
                                      weightIsHalf: weightIsHalf) {
                blocks = whole
            }
        case .im2col: break
        case .winograd: blocks = whole
        case .winogradBlocked(let t, let o): blocks = (max(1, t), max(1, o), whole.budget)
        case .winogradBudget(let f): blocks = (Int.max, Int.max, max(1, f))
        }
        if let blocks, kh == 3, kw == 3, stride == 1, tileRows == nil {
            var out = Tensor(uninitialized: [shape[0], co, oh, ow], capacity: capacity)
            let u = transformed?() ?? []                                  // [16, O, I] or none
            data.withUnsafeBufferPointer { xp in
                out.data.withUnsafeMutableBufferPointer { op in
                    (bias?.data ?? []).withUnsafeBufferPointer { bp in
                        u.withUnsafeBufferPointer { up in
                            Conv2DWinograd.run(x: xp.baseAddress!, b: shape[0], ci: shape[1], h: h, w: w,
                                               upsampled: upsampled, weight: weight, weightIsHalf: weightIsHalf,
                                               transformed: u.isEmpty ? nil : up.baseAddress, co: co, pad: pad,
                                               oh: oh, ow: ow, bias: bias == nil ? nil : bp.baseAddress,
                                               out: op.baseAddress!, budget: blocks.budget,
                                               maxTiles: blocks.tiles, maxOutChannels: blocks.outChannels)
                        }
                    }
                }
            }
            return out
        }
        if upsampled {
            return upsampleNearest(height: h, width: w)
                .im2colConv(weight: weight, weightIsHalf: weightIsHalf, weightShape: weightShape, bias: bias,
                            stride: stride, pad: pad, tileRows: tileRows)
        }
        return im2colConv(weight: weight, weightIsHalf: weightIsHalf, weightShape: weightShape, bias: bias,
                          stride: stride, pad: pad, tileRows: tileRows)
    }

    /// im2col + sgemm: whole maps for small outputs, tiles of output rows (one core each) for big ones. A half
    /// weight [O, k] is widened in blocks of output rows, each multiplied once widened (the columns are built once
    /// however many blocks): on whole maps each thread widens its own small block (`Tensor.halfRowBlocks`; 3 MB
    /// in all instead of a 16 MB buffer, next to the UNet's skip connections at its memory peak), else, and on
    /// the tiled path (whole weight: small), blocks of ≤ Parameter.wideningBlockFloats floats in one buffer.
    private func im2colConv(weight: UnsafeRawPointer, weightIsHalf: Bool, weightShape: [Int], bias: Tensor?,
                            stride: Int, pad: Padding2D, tileRows: Int?) -> Tensor {
        let (b, ci, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let (co, kh, kw) = (weightShape[0], weightShape[2], weightShape[3])
        let oh = (h + pad.top + pad.bottom - kh) / stride + 1
        let ow = (w + pad.left + pad.right - kw) / stride + 1
        let ohw = oh * ow, k = ci * kh * kw
        var out = Tensor(uninitialized: [b, co, oh, ow])

        let pointwise = kh == 1 && kw == 1 && stride == 1 && pad == Padding2D(0)
        // Large feature maps (≥ 32×32 outputs): im2col of the whole map would be ci·kh·kw·OH·OW floats (47 MB for
        // the UNet's 64×64×320 convs, 2.4 GB for the VAE's 512×512×256), so go in tiles of output rows instead.
        let tiled = !pointwise && (tileRows != nil || ohw >= 1024)
        let rowsPerBlock = weightIsHalf && !tiled ? max(1, min(co, Parameter.wideningBlockFloats / max(1, k))) : co
        /// body(o0, n, w [n, k]) for each block of output rows, timed as `kind` (nil: body times itself); `activations`: floats
        /// of the operand each block multiplies. Half weights on whole maps: blocks on all threads at once, each
        /// body then runs a single-threaded sgemm (values identical: each output's sum runs the same way).
        func blocks(_ kind: String?, activations: Int, _ body: (Int, Int, UnsafePointer<Float>) -> Void) {
            func timed<R>(_ f: () -> R) -> R { kind.map { Profiler.time($0, f) } ?? f() }
            guard weightIsHalf else { return timed { body(0, co, weight.assumingMemoryBound(to: Float.self)) } }
            let halves = weight.assumingMemoryBound(to: UInt16.self)
            if !tiled, timed({ Tensor.halfRowBlocks(halves, rows: co, rowLength: k, activations: activations, body) }) {
                return
            }
            let wide = UnsafeMutablePointer<Float>.allocate(capacity: max(1, rowsPerBlock * k))
            defer { wide.deallocate() }
            var o0 = 0
            while o0 < co {
                let n = min(rowsPerBlock, co - o0)
                Profiler.time("weights.widen") {     // both cores
                    HalfConversion.widen(halves + o0 * k, into: wide, count: n * k)
                }
                timed { body(o0, n, wide) }
                o0 += n
            }
        }
        data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                let x = xp.baseAddress!, o = op.baseAddress!
                if pointwise {
                    // [O, I] · [I, HW] per sample: no im2col needed.
                    blocks("conv1x1.sgemm", activations: b * ci * ohw) { o0, n, wt in
                        for s in 0..<b {
                            sgemm(m: n, n: ohw, k: ci, a: wt, lda: ci, b: x + s * ci * h * w, ldb: h * w,
                                  c: o + (s * co + o0) * ohw, ldc: ohw)
                        }
                    }
                } else if tiled {
                    blocks(nil, activations: 0) { _, _, wt in    // one block: the whole weight
                        convTiles(x: x, b: b, ci: ci, h: h, w: w, weight: wt, co: co, kh: kh, kw: kw,
                                  stride: stride, pad: pad, oh: oh, ow: ow, bias: bias, tileRows: tileRows, out: o)
                    }
                } else {
                    // Samples per sgemm: all of them while the column buffer stays ≤ 64 MB (small feature maps
                    // then read the weights once), else one at a time.
                    let per = max(1, min(b, (16 << 20) / max(1, k * ohw)))
                    var col = [Float](unsafeUninitializedCapacity: k * per * ohw) { _, n in n = k * per * ohw }
                    let tmpCount = per > 1 ? co * per * ohw : 0
                    var tmp = [Float](unsafeUninitializedCapacity: tmpCount) { _, n in n = tmpCount }
                    col.withUnsafeMutableBufferPointer { cp in
                        tmp.withUnsafeMutableBufferPointer { tp in
                            var s0 = 0
                            while s0 < b {
                                let ns = min(per, b - s0)
                                let n = ns * ohw
                                Profiler.time("conv.im2col") {
                                    im2col(x: x + s0 * ci * h * w, samples: ns, c: ci, h: h, w: w, kh: kh,
                                           kw: kw, stride: stride, pad: pad, oh: oh, ow: ow,
                                           col: cp.baseAddress!, ldcol: n)
                                }
                                // A half weight is widened again per group of samples (only big maps, whose
                                // weights are small, take more than one).
                                if ns == 1 {
                                    blocks("conv.sgemm", activations: k * n) { o0, nb, wt in
                                        sgemm(m: nb, n: n, k: k, a: wt, lda: k, b: cp.baseAddress!, ldb: n,
                                              c: o + (s0 * co + o0) * ohw, ldc: ohw)
                                    }
                                } else {
                                    // [O, ns·OHW] → [ns, O, OHW]
                                    blocks("conv.sgemm", activations: k * n) { o0, nb, wt in
                                        sgemm(m: nb, n: n, k: k, a: wt, lda: k, b: cp.baseAddress!, ldb: n,
                                              c: tp.baseAddress! + o0 * n, ldc: n)
                                    }
                                    let t = tp.baseAddress!
                                    Profiler.time("conv.scatter") {
                                        parallelFor(co, minPerThread: 8) { oc in
                                            for s in 0..<ns {
                                                (o + (s0 + s) * co * ohw + oc * ohw)
                                                    .update(from: t + oc * n + s * ohw, count: ohw)
                                            }
                                        }
                                    }
                                }
                                s0 += ns
                            }
                        }
                    }
                }
                if let bias, !tiled {
                    Profiler.time("conv.bias") {
                        bias.data.withUnsafeBufferPointer { bp in
                            parallelFor(b * co, minPerThread: 8) { i in
                                let v = bp[i % co]
                                let row = o + i * ohw
                                for j in 0..<ohw { row[j] += v }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Tiles of whole output rows, each a task for one core: im2col of the tile into the core's own buffer
/// [ci·kh·kw, rows·OW] (≤ 8 MB, reused), single-threaded sgemm into the output rows, bias added while hot.
/// Rows per tile: enough for ≥ 512 columns (amortises packing the weights per sgemm), else ≤ 2 M floats of columns.
private func convTiles(x: UnsafePointer<Float>, b: Int, ci: Int, h: Int, w: Int, weight wt: UnsafePointer<Float>,
                       co: Int, kh: Int, kw: Int, stride: Int, pad: Padding2D, oh: Int, ow: Int, bias: Tensor?,
                       tileRows: Int?, out o: UnsafeMutablePointer<Float>) {
    let k = ci * kh * kw, ohw = oh * ow
    let rowsPerTile = max(1, min(oh, tileRows ?? max(512, (2 << 20) / k) / ow))
    let tilesPerSample = (oh + rowsPerTile - 1) / rowsPerTile
    let tasks = b * tilesPerSample
    let biasData = bias?.data ?? []
    biasData.withUnsafeBufferPointer { bp in
        Profiler.time("conv.tiles") {
            Compute.withSingleThreadedBLAS(tasks > 1) {
                Compute.concurrentTasks(tasks, scratch: k * rowsPerTile * ow) { task, col in
                    let s = task / tilesPerSample, oy0 = (task % tilesPerSample) * rowsPerTile
                    let rows = min(rowsPerTile, oh - oy0), n = rows * ow
                    im2colRows(x: x + s * ci * h * w, c: ci, h: h, w: w, kh: kh, kw: kw, stride: stride, pad: pad,
                               ow: ow, oy0: oy0, rows: rows, col: col, ldcol: n)
                    let dst = o + s * co * ohw + oy0 * ow                     // [O, rows·OW], row stride OH·OW
                    sgemm(m: co, n: n, k: k, a: wt, lda: k, b: col, ldb: n, c: dst, ldc: ohw)
                    if let bb = bp.baseAddress {
                        for oc in 0..<co {
                            let row = dst + oc * ohw, v = bb[oc]
                            for j in 0..<n { row[j] += v }
                        }
                    }
                }
            }
        }
    }
}

/// im2col of output rows oy0 ..< oy0 + rows of one image [c, h, w] on the calling thread:
/// col[(ci·kh + ki)·kw + kj, (oy − oy0)·OW + ox] (row stride `ldcol`), zero outside the image.
@inline(__always)
private func im2colRows(x: UnsafePointer<Float>, c: Int, h: Int, w: Int, kh: Int, kw: Int, stride: Int,
                        pad: Padding2D, ow: Int, oy0: Int, rows: Int, col: UnsafeMutablePointer<Float>, ldcol: Int) {
    for r in 0..<(c * kh * kw) {
        let ch = r / (kh * kw), ki = (r / kw) % kh, kj = r % kw
        let src = x + ch * h * w
        for oy in oy0..<(oy0 + rows) {
            let d = col + r * ldcol + (oy - oy0) * ow
            let iy = oy * stride - pad.top + ki
            if iy < 0 || iy >= h {
                d.update(repeating: 0, count: ow)
                continue
            }
            unfoldRow(d, from: src + iy * w, ow: ow, w: w, stride: stride, left: pad.left, kj: kj)
        }
    }
}

/// Unfolds `samples` images [c, h, w] into columns: col[(ci·kh + ki)·kw + kj, s·OH·OW + oy·OW + ox]
/// (row stride `ldcol`), zero outside the image.
@inline(__always)
private func im2col(x: UnsafePointer<Float>, samples: Int, c: Int, h: Int, w: Int, kh: Int, kw: Int,
                    stride: Int, pad: Padding2D, oh: Int, ow: Int,
                    col: UnsafeMutablePointer<Float>, ldcol: Int) {
    let rows = c * kh * kw
    parallelFor(rows, minPerThread: 4) { r in
        let ch = r / (kh * kw), ki = (r / kw) % kh, kj = r % kw
        let dstRow = col + r * ldcol
        for s in 0..<samples {
            let src = x + (s * c + ch) * h * w
            let dst = dstRow + s * oh * ow
            for oy in 0..<oh {
                let iy = oy * stride - pad.top + ki
                let d = dst + oy * ow
                if iy < 0 || iy >= h {
                    d.update(repeating: 0, count: ow)
                    continue
                }
                unfoldRow(d, from: src + iy * w, ow: ow, w: w, stride: stride, left: pad.left, kj: kj)
            }
        }
    }
}

/// One row of one unfolded (channel, ki, kj): d[ox] = srow[ox·stride − left + kj] for ox in 0..<ow, zero where that
/// falls outside the image row [0, w).
@inline(__always)
private func unfoldRow(_ d: UnsafeMutablePointer<Float>, from srow: UnsafePointer<Float>, ow: Int, w: Int,
                       stride: Int, left: Int, kj: Int) {
    if stride == 1 {
        // ix = ox − left + kj: a contiguous copy between the zero borders.
        let off = kj - left
        let lo = max(0, -off), hi = min(ow, w - off)
        if lo > 0 { d.update(repeating: 0, count: lo) }
        if hi > lo { (d + lo).update(from: srow + lo + off, count: hi - lo) }
        if hi < ow { (d + max(hi, lo)).update(repeating: 0, count: ow - max(hi, lo)) }
    } else {
        for ox in 0..<ow {
            let ix = ox * stride - left + kj
            d[ox] = (ix >= 0 && ix < w) ? srow[ix] : 0
        }
    }
}
