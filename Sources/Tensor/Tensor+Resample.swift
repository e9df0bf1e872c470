// Spatial resampling on NCHW tensors: nearest upsampling (diffusers Upsample2D) and max pooling (VGG).

extension Tensor {
    /// torch.nn.functional.interpolate(mode="nearest") of self [B, C, H, W] to [B, C, outH, outW]:
    /// source index floor(dst · in/out) (torch's legacy "nearest", not "nearest-exact").
    public func upsampleNearest(height oh: Int, width ow: Int) -> Tensor {
        Profiler.time("upsample") {
            let (b, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
            var out = Tensor(uninitialized: [b, c, oh, ow])
            let sy = Float(h) / Float(oh), sx = Float(w) / Float(ow)
            let ys = (0..<oh).map { min(h - 1, Int((Float($0) * sy).rounded(.down))) }
            let xs = (0..<ow).map { min(w - 1, Int((Float($0) * sx).rounded(.down))) }
            data.withUnsafeBufferPointer { xp in
                out.data.withUnsafeMutableBufferPointer { op in
                    let x = xp.baseAddress!, o = op.baseAddress!
                    parallelFor(b * c, minPerThread: 4) { i in
                        let src = x + i * h * w, dst = o + i * oh * ow
                        if oh == 2 * h && ow == 2 * w {  // Upsample2D's ×2: widen a row once, copy it below
                            for y in 0..<h {
                                let srow = src + y * w, drow = dst + 2 * y * ow
                                for x in 0..<w { drow[2 * x] = srow[x]; drow[2 * x + 1] = srow[x] }
                                (drow + ow).update(from: drow, count: ow)
                            }
                            return
                        }
                        for oy in 0..<oh {
                            let srow = src + ys[oy] * w, drow = dst + oy * ow
                            for ox in 0..<ow { drow[ox] = srow[xs[ox]] }
                        }
                    }
                }
            }
            return out
        }
    }

    /// Nearest upsampling by an integer factor (diffusers Upsample2D: scale_factor 2).
    public func upsampleNearest(scale: Int) -> Tensor {
        upsampleNearest(height: shape[2] * scale, width: shape[3] * scale)
    }

    /// torch.nn.functional.max_pool2d(kernel, stride, padding 0, floor mode) of self [B, C, H, W]; with `relu`,
    /// relu(max_pool2d(x)), which equals max_pool2d(relu(x)) exactly (both monotone): a conv → ReLU → pool stage
    /// then clamps the pooled map, a quarter of the values, in the same pass.
    public func maxPool2d(kernel: Int, stride: Int, relu: Bool = false) -> Tensor {
        let (b, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        // torch's floor((h − k) / s) + 1, and no window at all on a map smaller than the kernel (Swift's division
        // truncates toward zero, which would give one window reading past the map).
        let oh = h >= kernel ? (h - kernel) / stride + 1 : 0, ow = w >= kernel ? (w - kernel) / stride + 1 : 0
        var out = Tensor(uninitialized: [b, c, oh, ow])
        let floor: Float = relu ? 0 : -.infinity
        data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                let x = xp.baseAddress!, o = op.baseAddress!
                parallelFor(b * c, minPerThread: 4) { i in
                    let src = x + i * h * w, dst = o + i * oh * ow
                    for oy in 0..<oh {
                        if kernel == 2 && stride == 2 {  // VGG's pool: two rows, pairs of columns
                            let r0 = src + 2 * oy * w, r1 = r0 + w, d = dst + oy * ow
                            for ox in 0..<ow {
                                let m = Swift.max(Swift.max(r0[2 * ox], r0[2 * ox + 1]),
                                                  Swift.max(r1[2 * ox], r1[2 * ox + 1]))
                                d[ox] = Swift.max(m, floor)
                            }
                            continue
                        }
                        for ox in 0..<ow {
                            var m = -Float.infinity
                            for ky in 0..<kernel {
                                let row = src + (oy * stride + ky) * w + ox * stride
                                for kx in 0..<kernel { m = Swift.max(m, row[kx]) }
                            }
                            dst[oy * ow + ox] = Swift.max(m, floor)
                        }
                    }
                }
            }
        }
        return out
    }
}
