// Peak signal-to-noise ratio of two 8-bit images: 10·log10(255² / MSE) over every channel value; +∞ for
// identical images.
import FileFormats
import Foundation

public enum PSNR {
    /// dB; +∞ when equal. Throws when the sizes differ.
    public static func decibels(_ a: PNGImage, _ b: PNGImage) throws -> Double {
        guard a.width == b.width, a.height == b.height, a.channels == b.channels, a.bytes.count == b.bytes.count,
              !a.bytes.isEmpty else {
            throw StudiesError.option(flag: "psnr", value: "\(a.width)×\(a.height)×\(a.channels) vs \(b.width)×\(b.height)×\(b.channels)",
                                      reason: "the two images must have one size and channel count")
        }
        var sum = 0.0
        for i in 0 ..< a.bytes.count {
            let d = Double(a.bytes[i]) - Double(b.bytes[i])
            sum += d * d
        }
        let mse = sum / Double(a.bytes.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
