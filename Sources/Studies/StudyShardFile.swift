// One file of a sharded study (`ldmprobe study`): float64 tensors (statistics, metric values, weights — F64 so
// that sums and weights survive the round trip bit for bit) and string metadata (stage, shard, covered images,
// spec, weights hash, version, the stage's arguments). Written atomically by SafetensorsWriter: a reader never
// sees a half-written file; whether a shard is done is the metadata's "complete", and a checkpoint has its own
// name (*.partial.safetensors), so nothing half-done looks complete.
import FileFormats
import Foundation
import Weights

public struct StudyShardFile {
    public var tensors: [String: [Double]] = [:]
    public var metadata: [String: String] = [:]

    public init(tensors: [String: [Double]] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    public func write(to url: URL) throws {
        try SafetensorsWriter.write(float64: tensors.mapValues { (shape: [$0.count], values: $0) }, metadata: metadata,
                                    to: url)
    }

    /// Reads a file written by `write`; every tensor must be F64.
    public init(contentsOf url: URL) throws {
        let mapped = try MappedFile(path: url.path)
        let file = try SafetensorsFile(file: mapped)
        metadata = file.metadata
        for (name, e) in file.entries {
            guard e.dtype == .f64 else {
                throw StudiesError.folder(path: url.path, reason: "tensor '\(name)' is \(e.dtype.rawValue), a study file holds F64 only")
            }
            let n = e.shape.reduce(1, *)
            let base = mapped.bytes.baseAddress! + e.range.lowerBound
            tensors[name] = (0..<n).map { base.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) }
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
