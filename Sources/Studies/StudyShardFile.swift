// One file of a sharded study (`ldmprobe study`): float64 vectors (statistics, metric values, weights — F64 so
// that sums and weights survive the round trip bit for bit) and string metadata (stage, shard, covered images,
// spec, weights hash, version, the stage's arguments). Written atomically and one vector at a time
// (SafetensorsWriter): a reader never sees a half-written file, and a checkpoint of gigabytes of statistics
// never holds a second copy of them. Read lazily from the mapped file. Whether a shard is done is the metadata's
// "complete", and a checkpoint has its own name (*.partial.safetensors), so nothing half-done looks complete.
import FileFormats
import Foundation
import Weights

public struct StudyShardFile {
    public var metadata: [String: String]
    private let mapped: MappedFile?
    private var entries: [String: SafetensorsEntry] = [:]
    private var memory: [String: [Double]] = [:]

    /// A file to write, with its vectors in memory.
    public init(tensors: [String: [Double]] = [:], metadata: [String: String] = [:]) {
        memory = tensors
        self.metadata = metadata
        mapped = nil
    }

    /// Opens a file written by `write`; every tensor must be an F64 vector.
    public init(contentsOf url: URL) throws {
        let file = try MappedFile(path: url.path)
        let st = try SafetensorsFile(file: file)
        for (name, e) in st.entries where e.dtype != .f64 || e.shape.count != 1 {
            throw StudiesError.folder(path: url.path, reason: "tensor '\(name)' is \(e.dtype.rawValue) \(e.shape), a study file holds F64 vectors only")
        }
        mapped = file
        entries = st.entries
        metadata = st.metadata
    }

    public var names: [String] { mapped == nil ? Array(memory.keys) : Array(entries.keys) }

    /// One vector (read from the file now), or nil.
    public subscript(_ name: String) -> [Double]? {
        guard let mapped else { return memory[name] }
        guard let e = entries[name] else { return nil }
        let base = mapped.bytes.baseAddress! + e.range.lowerBound
        return (0..<e.shape[0]).map { base.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) }
    }

    /// Every vector (small files: metric values, weights).
    public var tensors: [String: [Double]] {
        Dictionary(uniqueKeysWithValues: names.compactMap { n in self[n].map { (n, $0) } })
    }

    public func write(to url: URL) throws {
        let n = names
        try Self.write(names: n, metadata: metadata, to: url) { self[$0] ?? [] }
    }

    /// Writes the vectors `values(name)` gives, one at a time (asked twice: for the header's sizes, then the data).
    public static func write(names: [String], metadata: [String: String], to url: URL,
                             values: (String) throws -> [Double]) throws {
        let counts = try names.map { try values($0).count }
        try SafetensorsWriter.write(float64: zip(names, counts).map { (name: $0, count: $1) }, metadata: metadata, to: url) {
            try values(names[$0])
        }
    }

    /// A JSON string list (covered image ids, arguments), as metadata holds it.
    public static func list(_ values: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(values), as: UTF8.self)) ?? "[]"
    }

    /// Reads a list written by `list`; `key` and `url` name it in the error.
    public func list(_ key: String, in url: URL) throws -> [String] {
        guard let text = metadata[key], let v = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw StudiesError.folder(path: url.path, reason: "metadata '\(key)' missing or not a JSON list of strings (hint: not written by ldmprobe study?)")
        }
        return v
    }

    public var isComplete: Bool { metadata["complete"] == "true" }
}
