// Which token each label pixel reads under nearest-neighbour upsampling, exactly as PyTorch's
// F.interpolate(mode="nearest", size=(H, W)) picks it: src = min(floor(dst · (in/out as float32)), in − 1).

/// The pixel → token map for one (h, w) → (H, W) upsampling, plus each token's pixel count.
struct NearestMap: Equatable {
    let h: Int, w: Int, H: Int, W: Int
    /// Source row of each output row: [H].
    let rowSource: [Int]
    /// Source column of each output column: [W].
    let colSource: [Int]
    /// Pixels covered by each token: [h·w], row-major.
    let counts: [Int]
    /// Start of each token's pixels in a token-grouped label: [h·w + 1].
    let offsets: [Int]

    init(h: Int, w: Int, H: Int, W: Int) {
        self.h = h; self.w = w; self.H = H; self.W = W
        rowSource = NearestMap.sources(input: h, output: H)
        colSource = NearestMap.sources(input: w, output: W)
        var rowCount = [Int](repeating: 0, count: h), colCount = [Int](repeating: 0, count: w)
        for r in rowSource { rowCount[r] += 1 }
        for c in colSource { colCount[c] += 1 }
        var counts = [Int](repeating: 0, count: h * w)
        for y in 0..<h { for x in 0..<w { counts[y * w + x] = rowCount[y] * colCount[x] } }
        self.counts = counts
        var offsets = [Int](repeating: 0, count: h * w + 1)
        for t in 0..<(h * w) { offsets[t + 1] = offsets[t] + counts[t] }
        self.offsets = offsets
    }

    /// ATen's nearest_idx: identity when equal, a shift when doubling, otherwise float32 scale and floor.
    static func sources(input: Int, output: Int) -> [Int] {
        if input == output { return Array(0..<output) }
        if output == 2 * input { return (0..<output).map { $0 >> 1 } }
        let scale = Float(input) / Float(output)
        return (0..<output).map { min(Int((Float($0) * scale).rounded(.down)), input - 1) }
    }

    var tokens: Int { h * w }
    var pixels: Int { H * W }

    /// Per-token sum of a label [H, W] (contiguous).
    func tokenSums(_ label: UnsafeBufferPointer<Float>) -> [Double] {
        var sums = [Double](repeating: 0, count: tokens)
        for y in 0..<H {
            let row = rowSource[y] * w
            for x in 0..<W { sums[row + colSource[x]] += Double(label[y * W + x]) }
        }
        return sums
    }

    /// Token-grouped copy of a label [H, W]: values of token t lie in offsets[t]..<offsets[t+1].
    func grouped(_ label: UnsafeBufferPointer<Float>) -> [Float] {
        var fill = Array(offsets.dropLast())
        var values = [Float](repeating: 0, count: pixels)
        for y in 0..<H {
            let row = rowSource[y] * w
            for x in 0..<W {
                let t = row + colSource[x]
                values[fill[t]] = label[y * W + x]
                fill[t] += 1
            }
        }
        return values
    }

    /// Upsamples per-token values [outputs, h·w] into out [outputs, H, W] with the given element strides.
    func upsample(_ tokens: [Float], outputs: Int, into out: UnsafeMutablePointer<Float>,
                  strides: (Int, Int, Int)) {
        for o in 0..<outputs {
            for y in 0..<H {
                let src = o * h * w + rowSource[y] * w
                let dst = out + o * strides.0 + y * strides.1
                for x in 0..<W { dst[x * strides.2] = tokens[src + colSource[x]] }
            }
        }
    }
}
