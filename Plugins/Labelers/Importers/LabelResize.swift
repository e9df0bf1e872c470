// Resizing a label to the size the host asks for. nearest: PyTorch F.interpolate(mode="nearest") indices;
// bilinear: F.interpolate(mode="bilinear", align_corners=False) (half-pixel centres, edge clamped).

enum LabelResize: String {
    case nearest, bilinear

    func apply(_ m: LabelMap, height H: Int, width W: Int) -> LabelMap {
        if m.height == H && m.width == W { return m }
        var out = [Float](repeating: 0, count: H * W)
        switch self {
        case .nearest:
            let rows = LabelResize.nearest(input: m.height, output: H)
            let cols = LabelResize.nearest(input: m.width, output: W)
            for y in 0..<H { for x in 0..<W { out[y * W + x] = m.values[rows[y] * m.width + cols[x]] } }
        case .bilinear:
            let rows = LabelResize.linear(input: m.height, output: H)
            let cols = LabelResize.linear(input: m.width, output: W)
            for y in 0..<H {
                let (y0, y1, fy) = rows[y]
                for x in 0..<W {
                    let (x0, x1, fx) = cols[x]
                    let a = m.values[y0 * m.width + x0], b = m.values[y0 * m.width + x1]
                    let c = m.values[y1 * m.width + x0], d = m.values[y1 * m.width + x1]
                    out[y * W + x] = (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d)
                }
            }
        }
        return LabelMap(height: H, width: W, values: out)
    }

    static func nearest(input: Int, output: Int) -> [Int] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { min(Int((Float($0) * scale).rounded(.down)), input - 1) }
    }

    /// (i0, i1, weight of i1) per output index; source = (dst + 0.5)·scale − 0.5 clamped at 0.
    static func linear(input: Int, output: Int) -> [(Int, Int, Float)] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { o in
            let src = max((Float(o) + 0.5) * scale - 0.5, 0)
            let i0 = min(Int(src), input - 1)
            let i1 = min(i0 + 1, input - 1)
            return (i0, i1, src - Float(i0))
        }
    }
}
