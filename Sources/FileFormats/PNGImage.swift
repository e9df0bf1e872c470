// PNG files through libpng's simplified API only (png_image_*): the classic API reports errors by longjmp, which
// Swift cannot survive. 8-bit gray/RGB and 16-bit gray/RGB, row-major [H, W, channels].
//
// libpng's simplified API treats 8-bit samples as sRGB-encoded and 16-bit samples as linear. Reading a file in its
// own bit depth (the default, `.native`) returns its samples unchanged; asking for another depth makes libpng
// convert between the sRGB curve and linear light, which is almost never what a label file wants.
import CPNG
import Foundation

/// A decoded PNG image: 1 (gray) or 3 (RGB) channels of 8 or 16 bits, row-major [H, W, channels].
public struct PNGImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// 1 (gray) or 3 (RGB).
    public var channels: Int
    /// 8 or 16.
    public var bitDepth: Int
    /// 8-bit samples [H, W, channels]; empty when bitDepth is 16.
    public var bytes: [UInt8]
    /// 16-bit samples [H, W, channels]; empty when bitDepth is 8.
    public var words: [UInt16]

    /// An 8-bit image from samples [H, W, channels].
    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        precondition(channels == 1 || channels == 3, "PNGImage: channels must be 1 or 3")
        precondition(bytes.count == width * height * channels, "PNGImage: \(bytes.count) samples for \(height)×\(width)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = 8
        self.bytes = bytes
        self.words = []
    }

    /// A 16-bit image from samples [H, W, channels].
    public init(width: Int, height: Int, channels: Int, words: [UInt16]) {
        precondition(channels == 1 || channels == 3, "PNGImage: channels must be 1 or 3")
        precondition(words.count == width * height * channels, "PNGImage: \(words.count) samples for \(height)×\(width)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = 16
        self.bytes = []
        self.words = words
    }

    /// An image from Float samples in [0, 1] ([H, W, channels]), clamped, ×255 (or ×65535) and rounded.
    public init(width: Int, height: Int, channels: Int, unitFloats: [Float], bitDepth: Int = 8) {
        precondition(bitDepth == 8 || bitDepth == 16, "PNGImage: bitDepth must be 8 or 16")
        if bitDepth == 8 {
            self.init(width: width, height: height, channels: channels,
                      bytes: unitFloats.map { UInt8((max(0, min(1, $0)) * 255).rounded()) })
        } else {
            self.init(width: width, height: height, channels: channels,
                      words: unitFloats.map { UInt16((max(0, min(1, $0)) * 65535).rounded()) })
        }
    }

    /// Samples as Float: raw values (0…255 or 0…65535) when `normalized` is false, else divided to [0, 1].
    public func floats(normalized: Bool = true) -> [Float] {
        if bitDepth == 8 {
            let scale: Float = normalized ? 1 / 255 : 1
            return bytes.map { Float($0) * scale }
        }
        let scale: Float = normalized ? 1 / 65535 : 1
        return words.map { Float($0) * scale }
    }

    /// What to decode a file as.
    public enum ReadFormat: Sendable {
        /// The file's own channel count (gray or RGB; alpha dropped by compositing on black) and bit depth.
        case native
        /// 8-bit RGB (gray files replicated; 16-bit files converted from linear to sRGB by libpng).
        case rgb8
        /// 8-bit gray (colour files converted to luminance by libpng).
        case gray8
        /// 16-bit gray, samples as stored for 16-bit files; 8-bit files are converted by libpng from sRGB to linear.
        case gray16
    }

    /// Largest image `read` decodes (2¹⁷ × 2¹⁰ pixels, e.g. 11585×11585): checked from the header before allocating.
    public static let maxPixels = 1 << 27

    /// Reads a PNG file. Errors carry libpng's message and the path.
    public static func read(_ url: URL, as format: ReadFormat = .native) throws -> PNGImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, url.path) != 0 else {
            let message = libpngMessage(&image)
            png_image_free(&image)
            if !FileManager.default.fileExists(atPath: url.path) {
                throw FileFormatsError.io(path: url.path, message: "no such file")
            }
            throw FileFormatsError.png(path: url.path, message: message)
        }
        let fileIsColor = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let fileIs16 = image.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
        let channels: Int
        let sixteen: Bool
        switch format {
        case .native: channels = fileIsColor ? 3 : 1; sixteen = fileIs16
        case .rgb8: channels = 3; sixteen = false
        case .gray8: channels = 1; sixteen = false
        case .gray16: channels = 1; sixteen = true
        }
        image.format = (channels == 3 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (sixteen ? UInt32(PNG_FORMAT_FLAG_LINEAR) : 0)
        let width = Int(image.width), height = Int(image.height)
        // The header alone decides the allocation: a 74-byte file may declare 10⁶×10⁶ pixels.
        guard width > 0, height > 0, width * height <= maxPixels else {
            png_image_free(&image)
            throw FileFormatsError.png(path: url.path,
                message: "\(width)×\(height) pixels exceed the \(maxPixels)-pixel budget (hint: resize the image)")
        }
        let samples = width * height * channels
        var result: PNGImage
        var ok: Int32
        if sixteen {
            var words = [UInt16](repeating: 0, count: samples)
            ok = words.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            result = PNGImage(width: width, height: height, channels: channels, words: words)
        } else {
            var bytes = [UInt8](repeating: 0, count: samples)
            var black = png_color(red: 0, green: 0, blue: 0)
            ok = bytes.withUnsafeMutableBytes { png_image_finish_read(&image, &black, $0.baseAddress, 0, nil) }
            result = PNGImage(width: width, height: height, channels: channels, bytes: bytes)
        }
        guard ok != 0 else {
            let message = libpngMessage(&image)
            png_image_free(&image)
            throw FileFormatsError.png(path: url.path, message: message)
        }
        return result
    }

    /// Writes the image as a PNG file, atomically (temporary name, then rename). 16-bit images are written as
    /// linear (libpng adds a gAMA 1.0 chunk) so that they read back unchanged.
    public func write(to url: URL) throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = (channels == 3 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (bitDepth == 16 ? UInt32(PNG_FORMAT_FLAG_LINEAR) : 0)
        try AtomicFile.write(to: url) { tmp in
            let ok: Int32
            if bitDepth == 16 {
                ok = words.withUnsafeBytes { png_image_write_to_file(&image, tmp.path, 0, $0.baseAddress, 0, nil) }
            } else {
                ok = bytes.withUnsafeBytes { png_image_write_to_file(&image, tmp.path, 0, $0.baseAddress, 0, nil) }
            }
            guard ok != 0 else {
                let message = PNGImage.libpngMessage(&image)
                png_image_free(&image)
                throw FileFormatsError.png(path: url.path, message: message)
            }
        }
    }

    static func libpngMessage(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "unknown libpng error" : text
        }
    }
}
