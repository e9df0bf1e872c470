// An 8-bit RGB canvas with the few primitives the raster charts need: rectangles, thick lines, blended vertical
// spans (interval bands) and 5×7 bitmap text (horizontal or rotated to read upwards). No anti-aliasing.
import FileFormats

struct RasterCanvas {
    struct RGB { var r: UInt8; var g: UInt8; var b: UInt8 }

    enum Anchor { case start, middle, end }

    let width: Int
    let height: Int
    /// [H, W, 3]
    private(set) var pixels: [UInt8]

    init(width: Int, height: Int, background: RGB = RGB(r: 255, g: 255, b: 255)) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.r; pixels[3 * i + 1] = background.g; pixels[3 * i + 2] = background.b
        }
    }

    /// "#1f77b4" → RGB (black when malformed).
    static func color(_ hex: String) -> RGB {
        let v = UInt32(hex.dropFirst(), radix: 16) ?? 0
        return RGB(r: UInt8(v >> 16 & 0xFF), g: UInt8(v >> 8 & 0xFF), b: UInt8(v & 0xFF))
    }

    mutating func plot(_ x: Int, _ y: Int, _ c: RGB, alpha: Double = 1) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 3 * (y * width + x)
        if alpha >= 1 {
            pixels[i] = c.r; pixels[i + 1] = c.g; pixels[i + 2] = c.b
            return
        }
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 {
            UInt8((Double(old) * (1 - alpha) + Double(new) * alpha).rounded())
        }
        pixels[i] = mix(pixels[i], c.r); pixels[i + 1] = mix(pixels[i + 1], c.g); pixels[i + 2] = mix(pixels[i + 2], c.b)
    }

    /// Fills [x0, x1) × [y0, y1).
    mutating func fillRect(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: RGB, alpha: Double = 1) {
        for y in max(0, y0)..<max(max(0, y0), min(height, y1)) {
            for x in max(0, x0)..<max(max(0, x0), min(width, x1)) { plot(x, y, c, alpha: alpha) }
        }
    }

    /// A line of `thickness` pixels (a round brush stamped every half pixel).
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: RGB, thickness: Double = 1) {
        // Coordinates come from data: NaN or far off-canvas would trap in Int(_:) or loop for ages.
        let limit = Double(max(width, height)) * 4 + 1000
        guard [x0, y0, x1, y1, thickness].allSatisfy({ $0.isFinite && abs($0) <= limit }) else { return }
        let length = max(abs(x1 - x0), abs(y1 - y0))
        let steps = max(1, Int((length * 2).rounded(.up)))
        let r = max(thickness / 2, 0.5), ri = Int(r.rounded(.up))
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            let cx = x0 + (x1 - x0) * t, cy = y0 + (y1 - y0) * t
            let px = Int(cx.rounded(.down)), py = Int(cy.rounded(.down))
            for dy in -ri...ri {
                for dx in -ri...ri {
                    let ex = Double(px + dx) + 0.5 - cx, ey = Double(py + dy) + 0.5 - cy
                    if ex * ex + ey * ey <= r * r { plot(px + dx, py + dy, c) }
                }
            }
        }
    }

    /// Blends the vertical span between yTop and yBottom at every column from x0 to x1, both interpolated
    /// linearly (one segment of an interval band).
    mutating func band(x0: Double, top0: Double, bottom0: Double, x1: Double, top1: Double, bottom1: Double,
                       _ c: RGB, alpha: Double) {
        let a = Int(x0.rounded()), b = Int(x1.rounded())
        guard b > a else { return }
        for x in a..<b {
            let t = (Double(x) + 0.5 - x0) / (x1 - x0)
            let top = top0 + (top1 - top0) * t, bottom = bottom0 + (bottom1 - bottom0) * t
            for y in Int(min(top, bottom).rounded())..<Int(max(top, bottom).rounded()) { plot(x, y, c, alpha: alpha) }
        }
    }

    static func textWidth(_ s: String, scale: Int) -> Int {
        max(0, s.count * BitmapFont.advance - 1) * scale
    }

    /// Text with its baseline at y (horizontal), or, `upward`, rotated to read bottom to top with its baseline at
    /// x; `anchor` places (x, y) at the start, middle or end of the text.
    mutating func text(_ s: String, x: Double, y: Double, scale: Int, _ c: RGB, anchor: Anchor = .start,
                       upward: Bool = false, bold: Bool = false) {
        let w = Double(RasterCanvas.textWidth(s, scale: scale))
        let shift = anchor == .start ? 0 : anchor == .middle ? w / 2 : w
        let gh = BitmapFont.height
        for (i, ch) in s.enumerated() {
            let g = BitmapFont.glyph(ch)
            for gy in 0..<gh {
                for gx in 0..<BitmapFont.width where g[gy] >> (BitmapFont.width - 1 - gx) & 1 == 1 {
                    let along = Double((i * BitmapFont.advance + gx) * scale) - shift  // along the text
                    let across = Double((gy - gh + 1) * scale)                         // up from the baseline (≤ 0)
                    for sy in 0..<scale {
                        for sx in 0..<(scale + (bold ? 1 : 0)) {
                            if upward {
                                plot(Int(x + across) + sy, Int(y - along) - sx, c)
                            } else {
                                plot(Int(x + along) + sx, Int(y + across) + sy, c)
                            }
                        }
                    }
                }
            }
        }
    }

    func image() -> PNGImage { PNGImage(width: width, height: height, channels: 3, bytes: pixels) }
}
