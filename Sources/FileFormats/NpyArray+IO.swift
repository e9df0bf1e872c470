// Reading and writing .npy files (numpy format 1.0/2.0/3.0 on read, 1.0 or 2.0 on write).
import Foundation

extension NpyArray {
    /// Reads an .npy file. Errors name the file: missing, truncated, not .npy, unsupported dtype or Fortran order.
    public static func read(_ url: URL) throws -> NpyArray {
        let data = try readFile(url)
        return try decode(data, path: url.path)
    }

    /// Reads only the header of an .npy file (dtype, shape, data offset).
    public static func readHeader(_ url: URL) throws -> NpyHeader {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FileFormatsError.io(path: url.path, message: "cannot open for reading")
        }
        defer { try? handle.close() }
        let prefix = (try? handle.read(upToCount: 65536 + 12)) ?? Data()
        return try prefix.withUnsafeBytes { try NpyHeader.parse($0, path: url.path) }
    }

    /// Decodes the bytes of a whole .npy file. `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws -> NpyArray {
        try data.withUnsafeBytes { raw -> NpyArray in
            let header = try NpyHeader.parse(raw, path: path)
            let available = raw.count - header.dataOffset
            guard available >= header.dataBytes else {
                throw FileFormatsError.truncated(path: path, expectedBytes: header.dataBytes, actualBytes: available)
            }
            guard available == header.dataBytes else {
                throw FileFormatsError.corrupt(path: path,
                    reason: "\(available - header.dataBytes) bytes after the data of shape \(header.shape)")
            }
            let body = Array(raw[header.dataOffset...])
            return try NpyArray(dtype: header.dtype, shape: header.shape, bytes: body)
        }
    }

    /// The complete file contents: header then data.
    public func encoded() -> Data {
        var data = Data(NpyHeader.encode(dtype: dtype, shape: shape))
        data.append(contentsOf: bytes)
        return data
    }

    /// Writes the array to `url` atomically (temporary name, then rename).
    public func write(to url: URL) throws {
        try AtomicFile.write(encoded(), to: url)
    }

    /// Reads a file as Float values whatever its dtype; returns (shape, values).
    public static func readFloats(_ url: URL) throws -> (shape: [Int], values: [Float]) {
        let array = try read(url)
        return (array.shape, array.floats())
    }

    static func readFile(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            if !FileManager.default.fileExists(atPath: url.path) {
                throw FileFormatsError.io(path: url.path, message: "no such file")
            }
            throw FileFormatsError.io(path: url.path, message: "cannot read: \(error.localizedDescription)")
        }
    }
}
