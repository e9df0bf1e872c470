// PNG through libpng's simplified API: Pillow-written 8-bit RGB/gray and 16-bit gray files, round trips, and the
// errors (libpng's message with the path) for truncated and foreign files.
import FileFormats
import Foundation
import XCTest

final class PNGTests: XCTestCase {
    func testReadsPillowFiles() throws {
        let rgb = try PNGImage.read(Fixtures.formats("rgb8.png"))
        XCTAssertEqual([rgb.height, rgb.width, rgb.channels, rgb.bitDepth], [5, 7, 3, 8])
        XCTAssertEqual(rgb.bytes, try NpyArray.read(Fixtures.formats("rgb8.npy")).uint8s())
        let gray = try PNGImage.read(Fixtures.formats("gray8.png"))
        XCTAssertEqual([gray.height, gray.width, gray.channels, gray.bitDepth], [6, 4, 1, 8])
        XCTAssertEqual(gray.bytes, try NpyArray.read(Fixtures.formats("gray8.npy")).uint8s())
        let g16 = try PNGImage.read(Fixtures.formats("gray16.png"))
        XCTAssertEqual([g16.height, g16.width, g16.channels, g16.bitDepth], [3, 5, 1, 16])
        let expected = try NpyArray.read(Fixtures.formats("gray16.npy")).int64s().map { UInt16($0) }
        XCTAssertEqual(g16.words, expected)
        let diff = Fixtures.maxdiff(g16.floats(), expected.map { Float($0) / 65535 })
        print("png gray16 float maxdiff \(diff)")
        XCTAssertEqual(diff, 0)
        // Gray read as RGB replicates the channel.
        let asRGB = try PNGImage.read(Fixtures.formats("gray8.png"), as: .rgb8)
        XCTAssertEqual(asRGB.channels, 3)
        XCTAssertEqual(stride(from: 0, to: asRGB.bytes.count, by: 3).map { asRGB.bytes[$0] }, gray.bytes)
    }

    func testRoundTrips() throws {
        let dir = Fixtures.scratch("png")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rgb = PNGImage(width: 3, height: 2, channels: 3, bytes: (0 ..< 18).map { UInt8($0 * 14) })
        let gray = PNGImage(width: 4, height: 1, channels: 1, bytes: [0, 1, 254, 255])
        let g16 = PNGImage(width: 2, height: 2, channels: 1, words: [0, 1, 65534, 65535])
        for (k, image) in [rgb, gray, g16].enumerated() {
            let url = dir.appendingPathComponent("i\(k).png")
            try image.write(to: url)
            XCTAssertEqual(try PNGImage.read(url), image)
        }
        let fromFloats = PNGImage(width: 2, height: 1, channels: 1, unitFloats: [-0.5, 0.5019608])
        XCTAssertEqual(fromFloats.bytes, [0, 128])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["i0.png", "i1.png", "i2.png"])
    }

    func testErrorsCarryLibpngMessageAndPath() {
        for name in ["truncated.png", "not_a.png", "missing.png"] {
            XCTAssertThrowsError(try PNGImage.read(Fixtures.formats(name))) { error in
                print("png \(name): \(error)")
                XCTAssertTrue("\(error)".contains(name))
            }
        }
        XCTAssertThrowsError(try PNGImage(width: 1, height: 1, channels: 1, bytes: [0])
            .write(to: URL(fileURLWithPath: "/proc/nonexistent-folder/x.png")))
    }
}
