// Writes a large .npy file slice by slice along its first axis (e.g. activations [U, C, h, w] one UNet call at a
// time) without holding it in memory. The data go to a temporary file beside the destination, which appears under
// its real name only when `finish()` has checked that every slice was written.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Streams an .npy file of known shape; slices are appended in order along axis 0.
public final class NpyStreamWriter {
    public let url: URL
    public let dtype: NpyDType
    /// Full shape; shape[0] slices of shape[1...] each.
    public let shape: [Int]
    private let temporaryURL: URL
    private let handle: FileHandle
    private var slicesWritten = 0
    private var finished = false

    /// Elements per slice along axis 0.
    public var sliceCount: Int { shape.dropFirst().reduce(1, *) }

    /// Opens the temporary file and writes the header.
    public init(url: URL, dtype: NpyDType, shape: [Int]) throws {
        precondition(!shape.isEmpty, "NpyStreamWriter needs at least one axis")
        self.url = url
        self.dtype = dtype
        self.shape = shape
        try AtomicFile.createFolder(url.deletingLastPathComponent())
        temporaryURL = AtomicFile.temporaryURL(for: url)
        guard FileManager.default.createFile(atPath: temporaryURL.path, contents: Data(NpyHeader.encode(dtype: dtype, shape: shape))),
              let handle = FileHandle(forWritingAtPath: temporaryURL.path) else {
            throw FileFormatsError.io(path: url.path, message: "cannot create \(temporaryURL.lastPathComponent)")
        }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    /// Appends the next slice, converting Float values to the file's dtype.
    public func append(_ values: [Float]) throws {
        guard values.count == sliceCount else {
            throw FileFormatsError.invalidArgument(path: url.path,
                reason: "slice of \(values.count) values; expected \(sliceCount) for shape \(shape)")
        }
        guard slicesWritten < shape[0] else {
            throw FileFormatsError.invalidArgument(path: url.path, reason: "more than \(shape[0]) slices written")
        }
        let bytes: [UInt8]
        switch dtype {
        case .float32: bytes = values.withUnsafeBytes { Array($0) }
        case .float16: bytes = NpyArray.float16Bytes(values)
        case .uint8: bytes = values.map { UInt8(max(0, min(255, $0.rounded()))) }
        case .int64: bytes = values.map { Int64($0) }.withUnsafeBytes { Array($0) }
        }
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw FileFormatsError.io(path: url.path, message: "cannot write: \(error.localizedDescription)")
        }
        slicesWritten += 1
    }

    /// Closes the file and renames it into place. Throws if fewer slices than shape[0] were written.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try? handle.close()
        guard slicesWritten == shape[0] else {
            unlink(temporaryURL.path)
            throw FileFormatsError.invalidArgument(path: url.path,
                reason: "only \(slicesWritten) of \(shape[0]) slices written")
        }
        try AtomicFile.commit(temporaryURL, to: url)
    }

    /// Abandons the file: closes and removes the temporary (the destination is untouched).
    public func cancel() {
        guard !finished else { return }
        finished = true
        try? handle.close()
        unlink(temporaryURL.path)
    }

    deinit { cancel() }
}
