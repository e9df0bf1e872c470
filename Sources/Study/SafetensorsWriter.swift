// A minimal safetensors writer for probe weights: an 8-byte little-endian header length, a JSON header
// {name: {dtype: "F32", shape, data_offsets}} (keys sorted, as the reference library writes them), then the
// raw little-endian data. Readable by safetensors.numpy.load_file / torch.
import FileFormats
import Foundation

public enum SafetensorsWriter {
    /// Writes F32 tensors {name: (shape, values)} to `url` atomically.
    public static func write(_ tensors: [String: (shape: [Int], values: [Float])], metadata: [String: String] = [:],
                             to url: URL) throws {
        var header: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            header.append("\"__metadata__\":{\(m.joined(separator: ","))}")
        }
        var body = Data()
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            guard t.shape.reduce(1, *) == t.values.count else {
                throw StudyError.invalidArgument("safetensors \(url.path): \(name) has \(t.values.count) values for shape \(t.shape)")
            }
            let start = body.count
            t.values.withUnsafeBufferPointer { body.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress)?
                .assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
            header.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(start),\(body.count)]}")
        }
        var json = Array(("{" + header.joined(separator: ",") + "}").utf8)
        while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces so the data is 8-byte aligned
        var out = Data()
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        out.append(body)
        try AtomicFile.write(out, to: url)
    }
}
