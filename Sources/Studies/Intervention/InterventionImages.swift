// The pictures an intervention writes: side-by-side comparisons, targets, probe readings and label maps as PNG.
import FileFormats
import Foundation
import Pipeline

public enum InterventionImages {
    /// Images of one height side by side (RGB).
    public static func sideBySide(_ images: [PNGImage]) -> PNGImage {
        let h = images[0].height, w = images[0].width, k = images.count
        var bytes = [UInt8](repeating: 0, count: h * w * k * 3)
        for (j, img) in images.enumerated() {
            for y in 0 ..< h { for x in 0 ..< w { for c in 0 ..< 3 {
                bytes[(y * w * k + j * w + x) * 3 + c] = img.bytes[(y * w + x) * img.channels + min(c, img.channels - 1)]
            } } }
        }
        return PNGImage(width: w * k, height: h, channels: 3, bytes: bytes)
    }

    /// A map [H, W] as gray: 0…1 for binary maps, min…max otherwise.
    public static func gray(_ v: [Float], _ h: Int, _ w: Int, binary: Bool) -> PNGImage {
        let lo = binary ? 0 : (v.min() ?? 0), hi = binary ? 1 : (v.max() ?? 1)
        let bytes = v.map { x -> UInt8 in
            let t = hi > lo ? (x - lo) / (hi - lo) : 0
            return UInt8(max(0, min(255, (t * 255).rounded())))
        }
        return PNGImage(width: w, height: h, channels: 1, bytes: bytes)
    }

    /// A probe prediction [O, H, W] as gray: P(foreground) or the value on the target's range.
    public static func reading(_ v: [Float], _ h: Int, _ w: Int, binary: Bool, like target: [Float]) -> PNGImage {
        let n = h * w
        if binary { return gray((0 ..< n).map { 1 / (1 + exp(v[$0] - v[n + $0])) }, h, w, binary: true) }
        return range(Array(v[0 ..< n]), h, w, like: target)
    }

    /// A continuous map [H, W] as gray on the target's range (clipped), so maps and target compare by eye.
    public static func range(_ v: [Float], _ h: Int, _ w: Int, like target: [Float]) -> PNGImage {
        let lo = target.min() ?? 0, hi = target.max() ?? 1
        return gray(v.map { hi > lo ? min(max(($0 - lo) / (hi - lo), 0), 1) : 0 }, h, w, binary: true)
    }

    public static func write(_ img: PNGImage, to url: URL) throws {
        try AtomicFile.write(to: url) { tmp in try img.write(to: tmp) }
    }
}
