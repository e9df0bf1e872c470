// Locating and reading Tests/Fixtures/vgg (made by tools/make_vgg_fixtures.py; see its FIXTURE.md).
import Foundation
import XCTest
import FileFormats
import Tensor

enum VGGFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vgg")

    /// Image names in manifest order (rows of the expected arrays).
    static let images = ["landscape_300x400", "square_256", "portrait_513x341", "small_120x90", "exact_224"]

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// U8 [H, W, 3] RGB pixels of images/<name>.png.
    static func image(_ name: String) throws -> (pixels: [UInt8], height: Int, width: Int) {
        let png = try PNGImage.read(root.appendingPathComponent("images/\(name).png"), as: .rgb8)
        return (png.bytes, png.height, png.width)
    }

    /// expected/<model>_<preprocess>.npy: F32 [5, 1000].
    static func expected(_ model: String, _ preprocess: String) throws -> [[Float]] {
        let (shape, v) = try NpyArray.readFloats(root.appendingPathComponent("expected/\(model)_\(preprocess).npy"))
        return (0..<shape[0]).map { Array(v[($0 * shape[1])..<(($0 + 1) * shape[1])]) }
    }

    /// crops/<preprocess>_<image>.npy: U8 [224, 224, 3].
    static func crop(_ preprocess: String, _ image: String) throws -> [UInt8] {
        try NpyArray.read(root.appendingPathComponent("crops/\(preprocess)_\(image).npy")).bytes
    }

    /// Max |a − b| and max |log a − log b| (the logit error, which a flat softmax would hide).
    static func compare(_ a: [Float], _ b: [Float]) -> (abs: Float, log: Float) {
        var m: Float = 0, l: Float = 0
        for (x, y) in zip(a, b) {
            m = m.nanAwareMax(abs(x - y))
            if x > 1e-30 && y > 1e-30 || x.isNaN || y.isNaN { l = l.nanAwareMax(abs(logf(x) - logf(y))) }
        }
        return (m, l)
    }
}
