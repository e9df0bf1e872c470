// diffusers FeedForward with activation_fn "geglu": net.0 = GEGLU(C → 2·4C projection), net.1 dropout, net.2 Linear.
import Tensor

/// GEGLU feed-forward: `ff.net.0.proj` [8C, C] → hidden · gelu(gate) → `ff.net.2` [C, 4C].
public struct FeedForward {
    public var proj: Linear
    public var out: Linear

    public init(_ w: WeightLoader, _ path: String, channels c: Int, mult: Int = 4) throws {
        proj = try Linear(w, join(path, "net.0.proj"), in: c, out: 2 * mult * c)
        out = try Linear(w, join(path, "net.2"), in: mult * c, out: c)
    }

    /// Floats of the [rows, 8C] projection one chunk may hold (8 MB): at 4096 tokens the whole projection would
    /// be 84 MB, above glibc's 32 MB mmap threshold, so every call paid fresh page faults and a trip to memory.
    static let chunkFloats = 2 << 20

    /// [B, T, C] → [B, T, C], computed in chunks of token rows (rows are independent).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let c = x.shape.last!
        let rows = x.count / c
        let chunk = max(64, Self.chunkFloats / max(1, proj.weight.shape[0]))
        if rows <= chunk { return out(proj(x).geglu()) }
        // Half weights are widened block by block inside each `linear` (≤ 4 MB at a time, in cache), not once for
        // all chunks: a whole widened [8C, C] weight is up to 52 MB of scratch.
        return chunked(x, rows: rows, chunk: chunk, proj, out)
    }

    private func chunked(_ x: Tensor, rows: Int, chunk: Int, _ proj: Linear, _ out: Linear) -> Tensor {
        var result = Tensor(uninitialized: x.shape)                       // [B, T, C]
        var r0 = 0
        while r0 < rows {
            let n = min(chunk, rows - r0)
            let part = x.rows(r0, n)                                      // [n, C]
            let y = out(proj(part).geglu())                               // [n, C]
            result.setRows(r0, y)
            r0 += n
        }
        return result
    }
}
