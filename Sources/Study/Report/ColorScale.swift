// Colour scales of the report: a viridis-like sequential scale (dark purple → yellow) for metrics and predicted
// maps, and a diverging one (blue → white → red, 0 white) for gaps. Piecewise linear between a few stops.
enum ColorScale {
    case sequential, diverging

    private var stops: [(Double, Double, Double)] {
        switch self {
        case .sequential:
            return [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        case .diverging:
            return [(33, 102, 172), (146, 197, 222), (247, 247, 247), (244, 165, 130), (178, 24, 43)]
        }
    }

    /// The colour of t ∈ [0, 1] (clamped; NaN → light grey).
    func rgb(_ t: Double) -> RasterCanvas.RGB {
        guard t.isFinite else { return RasterCanvas.RGB(r: 220, g: 220, b: 220) }
        let s = stops, x = max(0, min(1, t)) * Double(s.count - 1)
        let i = min(Int(x), s.count - 2), f = x - Double(i)
        func mix(_ a: Double, _ b: Double) -> UInt8 { UInt8((a + (b - a) * f).rounded()) }
        return RasterCanvas.RGB(r: mix(s[i].0, s[i + 1].0), g: mix(s[i].1, s[i + 1].1), b: mix(s[i].2, s[i + 1].2))
    }

    func hex(_ t: Double) -> String {
        let c = rgb(t)
        return "#" + [c.r, c.g, c.b].map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    /// Black or white text, whichever reads on the colour of t.
    func textColor(_ t: Double) -> String {
        let c = rgb(t)
        return 0.299 * Double(c.r) + 0.587 * Double(c.g) + 0.114 * Double(c.b) > 140 ? "#000" : "#fff"
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
