// Targets of an intervention at label resolution [H, W]: a foreground mask (0/1) or a depth map, either given
// (--target-mask PNG, --target-depth .npy/.png) or the image's own label moved by (dx, dy) pixels.
import FileFormats
import Foundation
import Pipeline

public enum InterventionTarget {
    /// `label` [H, W] moved by (dx, dy) pixels (+x right, +y down). Pixels the move uncovers take `fill`
    /// (foreground: 0 = background), or, when `fill` is nil, keep the original value there (depth: the moved
    /// region is pasted over the original scene).
    public static func shifted(_ label: [Float], height H: Int, width W: Int, dx: Int, dy: Int,
                               fill: Float? = 0) -> [Float] {
        precondition(label.count == H * W, "label has \(label.count) values, not \(H)×\(W)")
        var out = [Float](repeating: fill ?? 0, count: H * W)
        if fill == nil { out = label }
        for y in 0 ..< H {
            let sy = y - dy
            guard sy >= 0, sy < H else { continue }
            for x in 0 ..< W {
                let sx = x - dx
                guard sx >= 0, sx < W else { continue }
                out[y * W + x] = label[sy * W + sx]
            }
        }
        return out
    }

    /// A binary mask from a PNG (gray or RGB; > 50 % of full scale is foreground), checked against [H, W].
    public static func mask(png path: String, height H: Int, width W: Int) throws -> [Float] {
        try gray(png: path, height: H, width: W).map { $0 > 0.5 ? 1 : 0 }
    }

    /// Channel 0 of a PNG in [0, 1], checked against [H, W].
    static func gray(png path: String, height H: Int, width W: Int) throws -> [Float] {
        let img: PNGImage
        do { img = try PNGImage.read(URL(fileURLWithPath: path)) } catch {
            throw InterventionError.target(path: path, reason: "\(error)")
        }
        guard img.height == H, img.width == W else {
            throw InterventionError.target(path: path, reason: "is \(img.width)×\(img.height), the image is \(W)×\(H)")
        }
        let f = img.floats(normalized: true), c = img.channels
        return (0 ..< H * W).map { f[$0 * c] }
    }

    /// A depth map [H, W] from a float .npy ([H, W] or [1, H, W]) or a gray PNG (0…1).
    public static func depth(file path: String, height H: Int, width W: Int) throws -> [Float] {
        if path.lowercased().hasSuffix(".png") { return try gray(png: path, height: H, width: W) }
        let a: (shape: [Int], values: [Float])
        do { a = try NpyArray.readFloats(URL(fileURLWithPath: path)) } catch {
            throw InterventionError.target(path: path, reason: "\(error)")
        }
        guard a.shape == [H, W] || a.shape == [1, H, W] else {
            throw InterventionError.target(path: path, reason: "shape \(a.shape), expected [\(H), \(W)]")
        }
        if let i = a.values.firstIndex(where: { !$0.isFinite }) {
            throw InterventionError.target(path: path, reason: "value \(a.values[i]) at pixel (\(i % W), \(i / W)) is not finite")
        }
        return a.values
    }

    /// Intersection over union of two binary masks (> 0.5); 1 when both are empty.
    public static func iou(_ a: [Float], _ b: [Float]) -> Double {
        var inter = 0, union = 0
        for i in 0 ..< min(a.count, b.count) {
            let p = a[i] > 0.5, q = b[i] > 0.5
            if p && q { inter += 1 }
            if p || q { union += 1 }
        }
        return union == 0 ? 1 : Double(inter) / Double(union)
    }
}
