// PluginKit — shape, strides and contiguity of an ldmp_tensor (tensor.h), and building a contiguous view.
//
//     let t = ldmp_tensor.contiguous(buffer.baseAddress, dtype: LDMP_DTYPE_F32, shape: [outputs, channels])
//     t.shapeArray        // [outputs, channels]
//     t.isContiguous      // true
import PluginABI

func dtypeName(_ d: UInt32) -> String {
    switch ldmp_dtype(d) {
    case LDMP_DTYPE_F32: return "F32"
    case LDMP_DTYPE_F16: return "F16"
    case LDMP_DTYPE_F64: return "F64"
    case LDMP_DTYPE_I32: return "I32"
    case LDMP_DTYPE_I64: return "I64"
    case LDMP_DTYPE_U8: return "U8"
    case LDMP_DTYPE_U16: return "U16"
    default: return "dtype \(d)"
    }
}

extension ldmp_tensor {
    /// shape[0 ..< rank].
    public var shapeArray: [Int] {
        withUnsafeBytes(of: shape) { raw in
            (0..<Int(Swift.min(rank, UInt32(LDMP_MAX_RANK)))).map { Int(raw.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }

    /// strides[0 ..< rank], in elements.
    public var strideArray: [Int] {
        withUnsafeBytes(of: strides) { raw in
            (0..<Int(Swift.min(rank, UInt32(LDMP_MAX_RANK)))).map { Int(raw.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }

    public var elementCount: Int { shapeArray.reduce(1, *) }

    /// Row-major contiguous (dimensions of size 1 may have any stride).
    public var isContiguous: Bool {
        var expected = 1
        for (n, s) in zip(shapeArray, strideArray).reversed() {
            if n != 1 && s != expected { return false }
            expected *= n
        }
        return true
    }

    /// A contiguous row-major view of `data` (not owned).
    public static func contiguous(_ data: UnsafeMutableRawPointer?, dtype: ldmp_dtype, shape: [Int]) -> ldmp_tensor {
        precondition(shape.count <= Int(LDMP_MAX_RANK), "ldmp_tensor: rank \(shape.count) > \(LDMP_MAX_RANK)")
        var t = ldmp_tensor()
        t.struct_size = StaticStorage.size(of: ldmp_tensor.self)
        t.dtype = dtype.rawValue
        t.rank = UInt32(shape.count)
        var strides = [Int](repeating: 1, count: shape.count)
        for k in stride(from: shape.count - 2, through: 0, by: -1) { strides[k] = strides[k + 1] * shape[k + 1] }
        withUnsafeMutableBytes(of: &t.shape) { raw in
            for (k, n) in shape.enumerated() { raw.storeBytes(of: Int64(n), toByteOffset: k * 8, as: Int64.self) }
        }
        withUnsafeMutableBytes(of: &t.strides) { raw in
            for (k, s) in strides.enumerated() { raw.storeBytes(of: Int64(s), toByteOffset: k * 8, as: Int64.self) }
        }
        t.data = data
        return t
    }
}
