// PFM: the Portable Float Map MiDaS's `write_pfm` produces (utils.py): a text header "Pf" (gray) or "PF" (RGB),
// "W H", then a scale whose sign is the byte order (negative = little-endian), then float32 rows stored
// bottom-to-top. Readers here return rows top-to-bottom, as the image was before write_pfm flipped it.
import Foundation

/// A float image read from or written to a .pfm file: [H, W, channels] row-major, top row first.
public struct PFMImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// 1 ("Pf") or 3 ("PF").
    public var channels: Int
    /// |scale| from the header (MiDaS writes 1).
    public var scale: Float
    /// [H, W, channels], top row first.
    public var values: [Float]

    public init(width: Int, height: Int, channels: Int, values: [Float], scale: Float = 1) {
        self.width = width
        self.height = height
        self.channels = channels
        self.values = values
        self.scale = scale
    }

    /// Reads a .pfm file. Errors name the file: missing, not PFM, bad header, truncated.
    public static func read(_ url: URL) throws -> PFMImage {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw FileFormatsError.io(path: url.path, message: FileManager.default.fileExists(atPath: url.path)
                                      ? "cannot read: \(error.localizedDescription)" : "no such file")
        }
        return try decode(data, path: url.path)
    }

    /// Decodes the bytes of a whole .pfm file; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws -> PFMImage {
        let bytes = [UInt8](data)
        var pos = 0
        // Three whitespace-separated header fields (magic, "W H", scale), each line ended by one whitespace byte.
        func token() throws -> String {
            while pos < bytes.count, isSpace(bytes[pos]) { pos += 1 }
            let start = pos
            while pos < bytes.count, !isSpace(bytes[pos]), pos - start < 64 { pos += 1 }
            guard pos > start, pos < bytes.count else {
                throw FileFormatsError.corrupt(path: path, reason: "PFM header ends early")
            }
            return String(decoding: bytes[start..<pos], as: UTF8.self)
        }
        let magic = try token()
        let channels: Int
        switch magic {
        case "Pf": channels = 1
        case "PF": channels = 3
        default: throw FileFormatsError.corrupt(path: path, reason: "not a PFM file (magic '\(magic.prefix(8))', expected Pf or PF)")
        }
        guard let width = Int(try token()), let height = Int(try token()), width > 0, height > 0,
              width <= 1 << 16, height <= 1 << 16 else {
            throw FileFormatsError.corrupt(path: path, reason: "bad PFM size")
        }
        guard let scale = Float(try token()), scale != 0, scale.isFinite else {
            throw FileFormatsError.corrupt(path: path, reason: "bad PFM scale (must be a non-zero number)")
        }
        pos += 1 // the single whitespace byte after the scale
        let count = width * height * channels
        let available = bytes.count - pos
        guard available >= count * 4 else {
            throw FileFormatsError.truncated(path: path, expectedBytes: count * 4, actualBytes: max(available, 0))
        }
        let littleEndian = scale < 0
        var values = [Float](repeating: 0, count: count)
        let rowCount = width * channels
        for fileRow in 0..<height {
            let dstRow = height - 1 - fileRow
            for i in 0..<rowCount {
                let o = pos + (fileRow * rowCount + i) * 4
                let raw = littleEndian
                    ? UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                    : UInt32(bytes[o + 3]) | UInt32(bytes[o + 2]) << 8 | UInt32(bytes[o + 1]) << 16 | UInt32(bytes[o]) << 24
                values[dstRow * rowCount + i] = Float(bitPattern: raw)
            }
        }
        return PFMImage(width: width, height: height, channels: channels, values: values, scale: abs(scale))
    }

    /// The file bytes as MiDaS writes them (little-endian, scale written as −scale, rows bottom-to-top).
    public func encoded() -> Data {
        var out = Data((channels == 3 ? "PF\n" : "Pf\n").utf8)
        out.append(contentsOf: Array("\(width) \(height)\n".utf8))
        out.append(contentsOf: Array(String(format: "%f\n", -Double(scale)).utf8))
        let rowCount = width * channels
        var body = [UInt8](repeating: 0, count: values.count * 4)
        for fileRow in 0..<height {
            let srcRow = height - 1 - fileRow
            for i in 0..<rowCount {
                let bits = values[srcRow * rowCount + i].bitPattern
                let o = (fileRow * rowCount + i) * 4
                body[o] = UInt8(bits & 0xFF); body[o + 1] = UInt8((bits >> 8) & 0xFF)
                body[o + 2] = UInt8((bits >> 16) & 0xFF); body[o + 3] = UInt8(bits >> 24)
            }
        }
        out.append(contentsOf: body)
        return out
    }

    /// Writes the image atomically (temporary name, then rename).
    public func write(to url: URL) throws {
        guard values.count == width * height * channels else {
            throw FileFormatsError.invalidArgument(path: url.path, reason: "PFM: \(values.count) values for \(height)×\(width)×\(channels)")
        }
        try AtomicFile.write(encoded(), to: url)
    }
}

private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
