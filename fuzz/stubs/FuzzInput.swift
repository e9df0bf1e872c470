// Shared by the fuzz targets: the input as bytes, as Data, or written to a scratch file for readers that take a
// path (one file per process, rewritten for every input).
import Foundation

enum FuzzInput {
    static let folder: String = {
        let dir = NSTemporaryDirectory() + "ldmprobe-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// Writes `bytes` to a scratch file named `name` and returns its path.
    static func file(_ bytes: UnsafeRawBufferPointer, name: String) -> String {
        let path = folder + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Runs `body` on the input written to a scratch file `name` (for readers that take a path); errors are
    /// the expected outcome for most inputs and are dropped.
    static func withFile(_ data: UnsafePointer<UInt8>, _ size: Int, name: String, _ body: (String) throws -> Void) {
        try? body(file(UnsafeRawBufferPointer(start: data, count: size), name: name))
    }

    /// The input split at the first occurrence of `separator` (the rest empty when absent).
    static func split(_ bytes: UnsafeRawBufferPointer, at separator: [UInt8]) -> (Data, Data) {
        let all = [UInt8](bytes)
        guard separator.count <= all.count else { return (Data(all), Data()) }
        for i in 0...(all.count - separator.count) where Array(all[i..<(i + separator.count)]) == separator {
            return (Data(all[..<i]), Data(all[(i + separator.count)...]))
        }
        return (Data(all), Data())
    }
}
