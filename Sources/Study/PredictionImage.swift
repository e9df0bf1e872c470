// Predicted maps as 8-bit gray PNGs for the report: binary → P(foreground) = softmax of the 2 logits;
// continuous → the prediction on the label's own range (min…max of that image's label, clamped), so a label
// and its prediction share one gray scale.
import FileFormats
import Foundation
import PluginHost

enum PredictionImage {
    static func write(prediction: [Float], label: [Float], kind: LabelKind, height: Int, width: Int, to url: URL) throws {
        let n = height * width
        var bytes = [UInt8](repeating: 0, count: n)
        if kind == .binary {
            for i in 0..<n {
                let p = 1 / (1 + exp(Double(prediction[i] - prediction[n + i])))
                bytes[i] = UInt8(max(0, min(255, (p * 255).rounded())))
            }
        } else {
            let lo = label.min() ?? 0, hi = label.max() ?? 1
            for i in 0..<n { bytes[i] = gray(prediction[i], lo, hi) }
        }
        try png(bytes, height, width, url)
    }

    static func writeLabel(_ label: [Float], kind: LabelKind, height: Int, width: Int, to url: URL) throws {
        let lo = kind == .binary ? 0 : (label.min() ?? 0), hi = kind == .binary ? 1 : (label.max() ?? 1)
        try png(label.map { gray($0, lo, hi) }, height, width, url)
    }

    static func gray(_ v: Float, _ lo: Float, _ hi: Float) -> UInt8 {
        let t = hi > lo ? (v - lo) / (hi - lo) : 0
        return UInt8(max(0, min(255, (t * 255).rounded())))
    }

    static func png(_ bytes: [UInt8], _ h: Int, _ w: Int, _ url: URL) throws {
        try AtomicFile.createFolder(url.deletingLastPathComponent())
        do {
            try PNGImage(width: w, height: h, channels: 1, bytes: bytes).write(to: url)
        } catch { throw StudyError.badInput("\(error)") }
    }
}
