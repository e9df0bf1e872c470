// The one safetensors writer (probe weights, converted classifier weights): an 8-byte little-endian header
// length, a JSON header {name: {dtype: "F32", shape, data_offsets}} with sorted keys and an optional
// "__metadata__" string map, padded with spaces to a multiple of 8 so the data is aligned, then the raw
// little-endian float32 (or, for statistics, float64) data. Written atomically (AtomicFile): a reader never sees a partial file. Readable by
// Weights.SafetensorsFile, safetensors.numpy.load_file and torch.
import Foundation

public enum SafetensorsWriter {
    /// Writes F32 tensors {name: (shape, values)} to `url` atomically, with `metadata` as "__metadata__".
    /// Errors: a shape that does not match its value count, a negative dimension, an unwritable destination.
    public static func write(_ tensors: [String: (shape: [Int], values: [Float])], metadata: [String: String] = [:],
                             to url: URL) throws {
        try write(tensors.mapValues { t in (dtype: "F32", shape: t.shape, count: t.values.count,
                                            bytes: { (d: inout Data) in t.values.withUnsafeBytes { d.append(contentsOf: $0) } }) },
                  metadata: metadata, to: url)
    }

    /// Writes F64 tensors (sums that must survive a round trip bit for bit, e.g. a sharded study's statistics).
    public static func write(float64 tensors: [String: (shape: [Int], values: [Double])], metadata: [String: String] = [:],
                             to url: URL) throws {
        try write(tensors.mapValues { t in (dtype: "F64", shape: t.shape, count: t.values.count,
                                            bytes: { (d: inout Data) in t.values.withUnsafeBytes { d.append(contentsOf: $0) } }) },
                  metadata: metadata, to: url)
    }

    /// Element size per dtype name.
    static let itemSize = ["F32": 4, "F64": 8]

    static func write(_ tensors: [String: (dtype: String, shape: [Int], count: Int, bytes: (inout Data) -> Void)],
                      metadata: [String: String], to url: URL) throws {
        var header: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(metadata[$0] ?? ""))" }
            header.append("\"__metadata__\":{\(m.joined(separator: ","))}")
        }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            guard let t = tensors[name] else { continue }
            guard t.shape.allSatisfy({ $0 >= 0 }), t.shape.reduce(1, *) == t.count else {
                throw FileFormatsError.invalidArgument(path: url.path,
                    reason: "tensor '\(name)' has \(t.count) values for shape \(t.shape) (shape and values must agree)")
            }
            let end = offset + t.count * (itemSize[t.dtype] ?? 4)
            header.append("\(JSONText.quoted(name)):{\"dtype\":\"\(t.dtype)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
                + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var json = Array(("{" + header.joined(separator: ",") + "}").utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for name in names {
            tensors[name]?.bytes(&out)  // little-endian on every supported host
        }
        try AtomicFile.write(out, to: url)
    }
}
