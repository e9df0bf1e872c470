// The one safetensors writer (probe weights, converted classifier weights): an 8-byte little-endian header
// length, a JSON header {name: {dtype: "F32", shape, data_offsets}} with sorted keys and an optional
// "__metadata__" string map, padded with spaces to a multiple of 8 so the data is aligned, then the raw
// little-endian float32 (or, for statistics, float64) data, streamed tensor by tensor into a temporary file
// renamed into place when complete (AtomicFile): a reader never sees a partial file. Readable by
// Weights.SafetensorsFile, safetensors.numpy.load_file and torch.
import Foundation

public enum SafetensorsWriter {
    /// Writes F32 tensors {name: (shape, values)} to `url` atomically, with `metadata` as "__metadata__".
    /// Errors: a shape that does not match its value count, a negative dimension, an unwritable destination.
    public static func write(_ tensors: [String: (shape: [Int], values: [Float])], metadata: [String: String] = [:],
                             to url: URL) throws {
        let names = tensors.keys.sorted()
        for name in names {
            guard let t = tensors[name], t.shape.allSatisfy({ $0 >= 0 }), t.shape.reduce(1, *) == t.values.count else {
                throw FileFormatsError.invalidArgument(path: url.path,
                    reason: "tensor '\(name)' has \(tensors[name]?.values.count ?? 0) values for shape \(tensors[name]?.shape ?? []) (shape and values must agree)")
            }
        }
        try stream(names.map { (name: $0, dtype: "F32", size: 4, shape: tensors[$0]?.shape ?? []) }, metadata: metadata,
                   to: url) { i in tensors[names[i]]?.values.withUnsafeBytes { Data($0) } ?? Data() }
    }

    /// Writes F64 vectors (sums that must survive a round trip bit for bit, e.g. a sharded study's statistics),
    /// one at a time: `values(k)` gives vector k of `entries` (exactly its count), so only one is held at once.
    public static func write(float64 entries: [(name: String, count: Int)], metadata: [String: String] = [:],
                             to url: URL, values: (Int) throws -> [Double]) throws {
        let order = entries.indices.sorted { entries[$0].name < entries[$1].name }
        try stream(order.map { (name: entries[$0].name, dtype: "F64", size: 8, shape: [entries[$0].count]) },
                   metadata: metadata, to: url) { i in
            let k = order[i], v = try values(k)
            guard v.count == entries[k].count else {
                throw FileFormatsError.invalidArgument(path: url.path,
                    reason: "tensor '\(entries[k].name)' has \(v.count) values, its header says \(entries[k].count)")
            }
            return v.withUnsafeBytes { Data($0) }  // little-endian on every supported host
        }
    }

    /// The header for `entries` (in this order), then each one's bytes from `data`, streamed into a temporary file
    /// that replaces `url` when complete.
    static func stream(_ entries: [(name: String, dtype: String, size: Int, shape: [Int])], metadata: [String: String],
                       to url: URL, data: (Int) throws -> Data) throws {
        var header: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(metadata[$0] ?? ""))" }
            header.append("\"__metadata__\":{\(m.joined(separator: ","))}")
        }
        var offset = 0
        for e in entries {
            let end = offset + e.shape.reduce(1, *) * e.size
            header.append("\(JSONText.quoted(e.name)):{\"dtype\":\"\(e.dtype)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],"
                + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var json = Array(("{" + header.joined(separator: ",") + "}").utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var head = Data(capacity: 8 + json.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { head.append(contentsOf: $0) }
        head.append(contentsOf: json)
        try AtomicFile.write(to: url) { tmp in
            guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
                throw FileFormatsError.io(path: url.path, message: "cannot create \(tmp.lastPathComponent)")
            }
            let handle = try FileHandle(forWritingTo: tmp)
            defer { try? handle.close() }
            try handle.write(contentsOf: head)
            for i in entries.indices { try handle.write(contentsOf: try data(i)) }
            try handle.synchronize()
        }
    }
}
