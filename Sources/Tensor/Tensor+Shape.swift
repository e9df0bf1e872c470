// Layout changes and elementwise arithmetic that the model blocks need between kernels.

extension Tensor {
    /// [B, C, N] (N = H·W or any trailing size) → [B, N, C]; general for any 3-D tensor: swaps the last two axes.
    public func transposedLastTwo() -> Tensor {
        Profiler.time("transpose") {
            let r = shape[shape.count - 2], c = shape[shape.count - 1]
            let batch = count / (r * c)
            var out = Tensor(uninitialized: Array(shape.dropLast(2)) + [c, r])
            data.withUnsafeBufferPointer { xp in
                out.data.withUnsafeMutableBufferPointer { op in
                    let x = xp.baseAddress!, o = op.baseAddress!
                    // Tiles of 32×32 keep both sides in cache.
                    let tilesR = (r + 31) / 32
                    parallelFor(batch * tilesR) { t in
                        let bi = t / tilesR, r0 = (t % tilesR) * 32, r1 = min(r, r0 + 32)
                        let src = x + bi * r * c, dst = o + bi * r * c
                        var c0 = 0
                        while c0 < c {
                            let c1 = min(c, c0 + 32)
                            for i in r0..<r1 { for j in c0..<c1 { dst[j * r + i] = src[i * c + j] } }
                            c0 = c1
                        }
                    }
                }
            }
            return out
        }
    }

    /// Elementwise self += other (same element count).
    public mutating func add(_ other: Tensor) {
        Profiler.time("add") {
            precondition(count == other.count, "add: \(shape) and \(other.shape) differ")
            other.data.withUnsafeBufferPointer { yp in
                data.withUnsafeMutableBufferPointer { xp in
                    let x = xp.baseAddress!, y = yp.baseAddress!, n = xp.count
                    let chunk = 1 << 15
                    parallelFor((n + chunk - 1) / chunk) { ci in
                        for i in (ci * chunk)..<min(n, ci * chunk + chunk) { x[i] += y[i] }
                    }
                }
            }
        }
    }

    /// self + other (same element count).
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        var out = lhs
        out.add(rhs)
        return out
    }

    /// self · s.
    public static func * (lhs: Tensor, s: Float) -> Tensor { lhs.map { $0 * s } }

    /// For self [B, C, ...] and v [B, C]: adds v[b, c] to every spatial element of channel c.
    public mutating func addPerChannel(_ v: Tensor) {
        Profiler.time("add") {
            let b = shape[0], c = shape[1], spatial = count / (b * c)
            precondition(v.count == b * c, "addPerChannel: \(v.shape) does not match \(shape)")
            v.data.withUnsafeBufferPointer { vp in
                data.withUnsafeMutableBufferPointer { xp in
                    let x = xp.baseAddress!
                    parallelFor(b * c, minPerThread: 8) { i in
                        let row = x + i * spatial, a = vp[i]
                        for j in 0..<spatial { row[j] += a }
                    }
                }
            }
        }
    }

    /// torch.cat along axis 1 of [B, C_i, ...] tensors with equal other axes.
    public static func concatChannels(_ parts: [Tensor]) -> Tensor {
        Profiler.time("concat") {
            let b = parts[0].shape[0]
            let spatial = parts[0].count / (b * parts[0].shape[1])
            let total = parts.reduce(0) { $0 + $1.shape[1] }
            var shape = parts[0].shape
            shape[1] = total
            var out = Tensor(uninitialized: shape)
            out.data.withUnsafeMutableBufferPointer { op in
                var off = 0
                for p in parts {
                    let ci = p.shape[1]
                    precondition(p.shape[0] == b && p.count == b * ci * spatial, "concatChannels: shapes differ")
                    p.data.withUnsafeBufferPointer { pp in
                        for s in 0..<b {
                            (op.baseAddress! + (s * total + off) * spatial)
                                .update(from: pp.baseAddress! + s * ci * spatial, count: ci * spatial)
                        }
                    }
                    off += ci
                }
            }
            return out
        }
    }

    /// torch.cat([first, second], dim=1) of [B, C1, ...] and [B, C2, ...], grown in `first`'s buffer when it has
    /// the room (`Tensor(uninitialized:capacity:)`) and no one else holds it: no [B, C1 + C2, ...] buffer beside
    /// both parts (31.5 MB at the UNet's widest concatenation, latent 64). Otherwise `concatChannels([first, second])`.
    public static func concatChannels(_ first: consuming Tensor, _ second: Tensor) -> Tensor {
        var out = consume first
        let b = out.shape[0], c1 = out.shape[1], c2 = second.shape.count > 1 ? second.shape[1] : 0
        let spatial = out.count / max(1, b * c1), total = b * (c1 + c2) * spatial
        guard out.data.capacity >= total, c1 > 0, second.shape.count == out.shape.count, second.shape[0] == b,
              second.count == b * c2 * spatial else { return concatChannels([out, second]) }
        return Profiler.time("concat") {
            // Unique now (a shared buffer is copied here, with room to spare: still correct).
            out.data.reserveCapacity(total)
            out.data.append(contentsOf: repeatElement(0, count: total - out.count))
            out.shape[1] = c1 + c2
            out.data.withUnsafeMutableBufferPointer { op in
                let o = op.baseAddress!
                // Samples move up from s·C1 to s·(C1 + C2) planes, the last first (ranges may overlap: memmove).
                for s in stride(from: b - 1, through: 1, by: -1) {
                    UnsafeMutableRawPointer(o + s * (c1 + c2) * spatial)
                        .copyMemory(from: o + s * c1 * spatial, byteCount: c1 * spatial * MemoryLayout<Float>.stride)
                }
                second.data.withUnsafeBufferPointer { sp in
                    for s in 0..<b {
                        (o + (s * (c1 + c2) + c1) * spatial).update(from: sp.baseAddress! + s * c2 * spatial,
                                                                   count: c2 * spatial)
                    }
                }
            }
            return out
        }
    }

    /// Splits [B, C, ...] along axis 1 into `sizes` channel counts (torch.split(dim=1)).
    public func splitChannels(_ sizes: [Int]) -> [Tensor] {
        Profiler.time("concat") {
            let b = shape[0], c = shape[1], spatial = count / (b * c)
            precondition(sizes.reduce(0, +) == c, "splitChannels: sizes \(sizes) do not sum to \(c)")
            var off = 0
            return sizes.map { ci in
                var s = shape
                s[1] = ci
                var t = Tensor(uninitialized: s)
                data.withUnsafeBufferPointer { xp in
                    t.data.withUnsafeMutableBufferPointer { tp in
                        for bi in 0..<b {
                            (tp.baseAddress! + bi * ci * spatial)
                                .update(from: xp.baseAddress! + (bi * c + off) * spatial, count: ci * spatial)
                        }
                    }
                }
                off += ci
                return t
            }
        }
    }
}

extension Tensor {
    /// Rows r0 ..< r0 + n of self viewed as [rows, last axis] → [n, last axis] (a copy).
    public func rows(_ r0: Int, _ n: Int) -> Tensor {
        let c = shape.last!
        precondition(r0 >= 0 && n >= 0 && (r0 + n) * c <= count, "rows: \(r0)..<\(r0 + n) outside \(shape)")
        var out = Tensor(uninitialized: [n, c])
        data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                op.baseAddress!.update(from: xp.baseAddress! + r0 * c, count: n * c)
            }
        }
        return out
    }

    /// Writes part [n, last axis] over rows r0 ..< r0 + n of self viewed as [rows, last axis].
    public mutating func setRows(_ r0: Int, _ part: Tensor) {
        let c = shape.last!
        precondition(part.shape.last == c && (r0 * c + part.count) <= count, "setRows: \(part.shape) at row \(r0) outside \(shape)")
        part.data.withUnsafeBufferPointer { pp in
            data.withUnsafeMutableBufferPointer { xp in
                (xp.baseAddress! + r0 * c).update(from: pp.baseAddress!, count: part.count)
            }
        }
    }
}

extension Tensor {
    /// Sample s of self [B, ...] → [1, ...] (a copy).
    public func sample(_ s: Int) -> Tensor {
        let n = count / max(1, shape[0])
        return reshaped([shape[0], n]).rows(s, 1).reshaped([1] + shape.dropFirst())
    }

    /// Writes part [1, ...] (or any shape of one sample's element count) over sample s of self [B, ...].
    public mutating func setSample(_ s: Int, _ part: Tensor) {
        let b = shape[0], n = count / max(1, b), full = shape
        precondition(s >= 0 && s < b && part.count == n, "setSample: \(part.shape) at sample \(s) outside \(full)")
        shape = [b, n]
        setRows(s, part.reshaped([1, n]))
        shape = full
    }
}
