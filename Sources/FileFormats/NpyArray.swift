// An in-memory .npy array: dtype, shape and the raw little-endian element bytes, with conversions to and from
// Swift arrays. Reading and writing files: NpyArray+IO.swift.
import Foundation

/// A C-order (row-major) array as stored in an .npy file.
public struct NpyArray: Equatable, Sendable {
    public var dtype: NpyDType
    public var shape: [Int]
    /// count × dtype.itemSize bytes, little-endian, row-major.
    public var bytes: [UInt8]

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Wraps raw bytes; fails if their size does not match shape and dtype.
    public init(dtype: NpyDType, shape: [Int], bytes: [UInt8]) throws {
        let expected = shape.reduce(1, *) * dtype.itemSize
        guard bytes.count == expected else {
            throw FileFormatsError.invalidArgument(path: "<npy>",
                reason: "\(bytes.count) bytes do not hold shape \(shape) of \(dtype.rawValue) (\(expected) bytes)")
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// float32 elements.
    public init(float32 values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "NpyArray: \(values.count) values for shape \(shape)")
        self.dtype = .float32
        self.shape = shape
        self.bytes = values.withUnsafeBytes { Array($0) } // little-endian host (x86_64, arm64)
    }

    /// float16 elements, rounded to nearest even from `values` (as numpy's astype(float16) and torch's .half()).
    public init(float16 values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "NpyArray: \(values.count) values for shape \(shape)")
        self.dtype = .float16
        self.shape = shape
        self.bytes = NpyArray.float16Bytes(values)
    }

    /// uint8 elements.
    public init(uint8 values: [UInt8], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "NpyArray: \(values.count) values for shape \(shape)")
        self.dtype = .uint8
        self.shape = shape
        self.bytes = values
    }

    /// int64 elements.
    public init(int64 values: [Int64], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "NpyArray: \(values.count) values for shape \(shape)")
        self.dtype = .int64
        self.shape = shape
        self.bytes = values.withUnsafeBytes { Array($0) }
    }

    /// The elements converted to Float (float16 exactly, uint8 as 0…255, int64 rounded).
    public func floats() -> [Float] {
        let n = count
        return bytes.withUnsafeBytes { raw -> [Float] in
            switch dtype {
            case .float32:
                return [Float](unsafeUninitializedCapacity: n) { out, done in
                    _ = memcpy(out.baseAddress!, raw.baseAddress!, n * 4)
                    done = n
                }
            case .float16:
                return NpyArray.floatsFromFloat16(raw, count: n)
            case .uint8:
                return raw.map { Float($0) }
            case .int64:
                return (0 ..< n).map { Float(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            }
        }
    }

    /// The elements as Int64 (floats truncated toward zero).
    public func int64s() -> [Int64] {
        switch dtype {
        case .int64:
            return bytes.withUnsafeBytes { raw in (0 ..< count).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) } }
        case .uint8:
            return bytes.map { Int64($0) }
        default:
            return floats().map { Int64($0) }
        }
    }

    /// The elements as UInt8 (only for uint8 arrays; others are clamped to 0…255 and rounded).
    public func uint8s() -> [UInt8] {
        if dtype == .uint8 { return bytes }
        return floats().map { UInt8(max(0, min(255, $0.rounded()))) }
    }

    // MARK: float16

    /// IEEE half bytes of `values`, round-to-nearest-even.
    public static func float16Bytes(_ values: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count * 2)
        out.withUnsafeMutableBytes { raw in
            let halves = raw.bindMemory(to: UInt16.self)
            values.withUnsafeBufferPointer { src in
                for i in 0 ..< src.count { halves[i] = float16Bits(src[i]) }
            }
        }
        return out
    }

    /// Floats from `count` IEEE half values in `raw`.
    public static func floatsFromFloat16(_ raw: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, done in
            for i in 0 ..< count {
                out[i] = float(fromFloat16Bits: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            }
            done = count
        }
    }

    /// IEEE half bit pattern of x (round to nearest even; overflow to ±inf; NaN stays NaN).
    @inline(__always)
    public static func float16Bits(_ x: Float) -> UInt16 {
        Float16(x).bitPattern
    }

    /// The Float value of an IEEE half bit pattern (exact).
    @inline(__always)
    public static func float(fromFloat16Bits bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }
}
