// ClassifierSupport — writes float32 tensors as a .safetensors file (8-byte little-endian header length, JSON
// header with sorted keys and data_offsets, header padded with spaces to a multiple of 8, then the data), to a
// temporary name beside the destination and renamed when complete.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Tensor
import Weights

public enum SafetensorsWriter {
    /// Writes every tensor of `source` (converted to F32) to `path`, with `metadata` in `__metadata__`.
    public static func write(_ source: WeightSource, to path: String, metadata: [String: String] = [:]) throws {
        let keys = source.keys.sorted()
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        var tensors: [Tensor] = []
        for key in keys {
            let t = try source.tensor(key)
            header[key] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + t.count * 4]] as [String: Any]
            offset += t.count * 4
            tensors.append(t)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for t in tensors { t.data.withUnsafeBytes { data.append(contentsOf: $0) } }   // little-endian hosts

        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: tmp)
            guard rename(tmp.path, url.path) == 0 else {   // atomic within one file system
                throw ClassifierError.io(path: path, message: "cannot rename \(tmp.lastPathComponent) into place")
            }
        } catch let e as ClassifierError {
            try? FileManager.default.removeItem(at: tmp)
            throw e
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw ClassifierError.io(path: path, message: "cannot write: \(error.localizedDescription)")
        }
    }
}
