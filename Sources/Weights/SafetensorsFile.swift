// SafetensorsFile: a .safetensors file read through mmap. The header is validated completely when the file is
// opened — length within the file, JSON, every tensor's dtype, shape and offsets inside the data section, no two
// tensors overlapping, byte size = element count × dtype size — so a bad file fails once, with one line naming
// the file and the tensor, and tensor(_:) afterwards only converts bytes.
//
// Layout: 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F16", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}, then the data
// section; offsets are relative to its start.
import Foundation
import Tensor

/// One tensor's entry in a safetensors header.
public struct SafetensorsEntry: Sendable, Equatable {
    public var dtype: WeightDType
    public var shape: [Int]
    /// Absolute byte range in the file.
    public var range: Range<Int>
}

/// A validated, memory-mapped .safetensors file.
public final class SafetensorsFile: WeightSource, @unchecked Sendable {
    /// Headers larger than this are refused (the safetensors library's own limit is 100 MB).
    public static let maxHeaderBytes = 100_000_000

    public let path: String
    public let entries: [String: SafetensorsEntry]
    /// The `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    private let file: MappedFile

    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws {
        self.file = file
        self.path = file.path
        let bytes = file.bytes
        let name = file.path
        guard bytes.count >= 8 else {
            throw WeightSourceError.corrupt(file: name, tensor: nil,
                reason: "\(bytes.count) bytes, too short for the 8-byte header length")
        }
        let headerLength = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian
        guard headerLength <= UInt64(Self.maxHeaderBytes), Int(headerLength) <= bytes.count - 8 else {
            throw WeightSourceError.corrupt(file: name, tensor: nil,
                reason: "header length \(headerLength) exceeds the file (\(bytes.count) bytes): truncated or not safetensors")
        }
        let dataStart = 8 + Int(headerLength)
        let dataSize = bytes.count - dataStart
        let json = Data(bytes[8..<dataStart])
        guard let object = try? JSONSerialization.jsonObject(with: json),
              let header = object as? [String: Any] else {
            throw WeightSourceError.corrupt(file: name, tensor: nil, reason: "header is not a JSON object")
        }
        var entries: [String: SafetensorsEntry] = [:]
        var metadata: [String: String] = [:]
        for (key, value) in header {
            if key == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw WeightSourceError.corrupt(file: name, tensor: nil, reason: "__metadata__ is not an object")
                }
                for (k, v) in map { metadata[k] = (v as? String) ?? "\(v)" }
                continue
            }
            entries[key] = try Self.parseEntry(key, value, file: name, dataStart: dataStart, dataSize: dataSize)
        }
        // Non-overlapping: sorted by start, each begins at or after the previous end (empty tensors excepted).
        let sorted = entries.filter { !$0.value.range.isEmpty }.sorted { $0.value.range.lowerBound < $1.value.range.lowerBound }
        for (previous, current) in zip(sorted, sorted.dropFirst())
        where current.value.range.lowerBound < previous.value.range.upperBound {
            throw WeightSourceError.corrupt(file: name, tensor: current.key,
                reason: "bytes overlap tensor '\(previous.key)'")
        }
        self.entries = entries
        self.metadata = metadata
    }

    private static func parseEntry(_ key: String, _ value: Any, file: String, dataStart: Int, dataSize: Int) throws
        -> SafetensorsEntry {
        func bad(_ reason: String) -> WeightSourceError { .corrupt(file: file, tensor: key, reason: reason) }
        guard let info = value as? [String: Any] else { throw bad("entry is not an object") }
        guard let dtypeName = info["dtype"] as? String else { throw bad("no dtype") }
        guard let dtype = WeightDType(rawValue: dtypeName) else {
            throw WeightSourceError.unsupportedDType(file: file, tensor: key, dtype: dtypeName)
        }
        guard let shapeAny = info["shape"] as? [Any] else { throw bad("no shape") }
        let shape = try shapeAny.map { dim -> Int in
            guard let n = dim as? NSNumber, let v = Int(exactly: n.doubleValue), v >= 0, v < 1 << 40 else {
                throw bad("shape \(shapeAny) is not a list of non-negative integers")
            }
            return v
        }
        guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
              let b = (offsets[0] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }),
              let e = (offsets[1] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }) else {
            throw bad("data_offsets is not [begin, end]")
        }
        guard b >= 0, b <= e, e <= dataSize else {
            throw bad("data_offsets [\(b), \(e)] lie outside the data section (\(dataSize) bytes)")
        }
        let (elements, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, elements.multipliedReportingOverflow(by: dtype.itemSize).overflow == false,
              elements * dtype.itemSize == e - b else {
            throw bad("\(e - b) bytes do not hold shape \(shape) of \(dtypeName) (\(elements) × \(dtype.itemSize) bytes)")
        }
        return SafetensorsEntry(dtype: dtype, shape: shape, range: (dataStart + b)..<(dataStart + e))
    }

    // MARK: WeightSource

    public var keys: [String] { entries.keys.sorted() }

    public func shape(_ key: String) -> [Int]? { entries[key]?.shape }

    public func dtype(_ key: String) -> WeightDType? { entries[key]?.dtype }

    public func tensor(_ key: String) throws -> Tensor {
        guard let entry = entries[key] else { throw WeightSourceError.missingKey(key) }
        let count = entry.shape.reduce(1, *)
        let values = [Float](unsafeUninitializedCapacity: count) { buf, initialized in
            if count > 0 {
                entry.dtype.convert(file.bytes.baseAddress! + entry.range.lowerBound, count: count, into: buf.baseAddress!)
            }
            initialized = count
        }
        file.release(entry.range)
        return Tensor(shape: entry.shape, data: values)
    }

    /// F16 tensors stay half (copied out of the mapping) unless `residency` is `.f32`.
    public func parameter(_ key: String, residency: WeightResidency) throws -> Parameter {
        guard let entry = entries[key] else { throw WeightSourceError.missingKey(key) }
        let count = entry.shape.reduce(1, *)
        guard entry.dtype == .f16, residency != .f32, count > 0 else { return residency.parameter(try tensor(key)) }
        let half = HalfBuffer(copying: file.bytes.baseAddress! + entry.range.lowerBound, count: count)
        file.release(entry.range)
        return Parameter(half: half, shape: entry.shape)
    }
}
