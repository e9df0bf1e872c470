// The report's view of one test image's prediction, for a reader to judge labels and predictions together:
// the generated image, the label over the image, the prediction in colour (viridis: P(foreground) 0…1, or the
// label's own range for a continuous property, as PredictionImage scales it) and the prediction over the image.
// Built from the PNGs the study saved (the predictions' grey levels are their values); the image is resized
// (nearest) to the label's size when they differ.
import FileFormats
import Foundation
import PluginHost

struct PredictionPanel {
    let kind: LabelKind
    /// [H·W] grey levels 0…255.
    let label: [UInt8]
    let height: Int, width: Int
    /// [H·W·3] RGB, or nil when the run's image cannot be read.
    let image: [UInt8]?

    init?(kind: LabelKind, labelPNG: URL, imagePNG: URL) {
        guard let l = try? PNGImage.read(labelPNG, as: .gray8) else { return nil }
        self.kind = kind
        label = l.bytes
        height = l.height
        width = l.width
        if let im = try? PNGImage.read(imagePNG, as: .rgb8), im.width > 0, im.height > 0 {
            var rgb = [UInt8](repeating: 0, count: l.height * l.width * 3)
            for y in 0..<l.height {
                let sy = min(y * im.height / l.height, im.height - 1)
                for x in 0..<l.width {
                    let sx = min(x * im.width / l.width, im.width - 1)
                    for ch in 0..<3 { rgb[(y * l.width + x) * 3 + ch] = im.bytes[(sy * im.width + sx) * 3 + ch] }
                }
            }
            image = rgb
        } else {
            image = nil
        }
    }

    /// A grey map in colour (viridis).
    func colored(_ grey: [UInt8]) -> PNGImage {
        var bytes = [UInt8](repeating: 0, count: grey.count * 3)
        for (i, g) in grey.enumerated() {
            let c = ColorScale.sequential.rgb(Double(g) / 255)
            bytes[3 * i] = c.r; bytes[3 * i + 1] = c.g; bytes[3 * i + 2] = c.b
        }
        return PNGImage(width: width, height: height, channels: 3, bytes: bytes)
    }

    /// The map over the image: binary → the foreground (grey > 127) tinted red at half opacity; continuous →
    /// the colour map blended half and half with the image.
    func overlay(_ grey: [UInt8]) -> PNGImage? {
        guard let image, grey.count == height * width else { return nil }
        var bytes = image
        for (i, g) in grey.enumerated() {
            let c: RasterCanvas.RGB
            if kind == .binary {
                guard g > 127 else { continue }
                c = RasterCanvas.RGB(r: 230, g: 30, b: 30)
            } else {
                c = ColorScale.sequential.rgb(Double(g) / 255)
            }
            for (ch, v) in [c.r, c.g, c.b].enumerated() {
                bytes[3 * i + ch] = UInt8((Double(bytes[3 * i + ch]) + Double(v)) / 2)
            }
        }
        return PNGImage(width: width, height: height, channels: 3, bytes: bytes)
    }

    /// Grey levels of a saved prediction PNG (nil when unreadable or not the label's size).
    func prediction(_ url: URL) -> [UInt8]? {
        guard let p = try? PNGImage.read(url, as: .gray8), p.width == width, p.height == height else { return nil }
        return p.bytes
    }

    var imagePNG: PNGImage? { image.map { PNGImage(width: width, height: height, channels: 3, bytes: $0) } }

    /// An inline <img> of a PNG at `size` CSS pixels, pixels kept square.
    static func img(_ png: PNGImage?, size: Int, title: String) -> String {
        guard let png, let url = try? temporaryData(png) else { return "<span class=\"empty\">(unreadable)</span>" }
        return "<img src=\"data:image/png;base64,\(url.base64EncodedString())\" width=\"\(size)\" height=\"\(size)\" "
            + "title=\"\(escape(title))\">"
    }

    /// PNG bytes (written through a temporary file: PNGImage writes files).
    static func temporaryData(_ png: PNGImage) throws -> Data {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-panel-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try png.write(to: url)
        return try Data(contentsOf: url)
    }

    /// A horizontal colour bar with its end labels, as inline SVG.
    static func colorBar(low: String, high: String, caption: String) -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"260\" height=\"34\" font-family=\"sans-serif\" font-size=\"10\">"
        for k in 0..<40 {
            s += "<rect x=\"\(30 + k * 5)\" y=\"2\" width=\"5.5\" height=\"12\" fill=\"\(ColorScale.sequential.hex(Double(k) / 39))\"/>"
        }
        s += "<text x=\"26\" y=\"12\" text-anchor=\"end\">\(escape(low))</text><text x=\"234\" y=\"12\">\(escape(high))</text>"
        return s + "<text x=\"130\" y=\"28\" text-anchor=\"middle\">\(escape(caption))</text></svg>"
    }
}
