// PluginHost — building ldmp_tensor views over Swift buffers for plugin calls.
import PluginABI

enum HostTensor {
    /// A contiguous row-major view of `data` (not owned; valid while the buffer is).
    static func view(_ data: UnsafeMutableRawPointer?, _ dtype: ldmp_dtype, _ shape: [Int]) -> ldmp_tensor {
        precondition(shape.count <= Int(LDMP_MAX_RANK))
        var t = ldmp_tensor()
        t.struct_size = UInt32(MemoryLayout<ldmp_tensor>.size)
        t.dtype = dtype.rawValue
        t.rank = UInt32(shape.count)
        var strides = [Int](repeating: 1, count: shape.count)
        if shape.count >= 2 {
            for k in stride(from: shape.count - 2, through: 0, by: -1) { strides[k] = strides[k + 1] * shape[k + 1] }
        }
        withUnsafeMutableBytes(of: &t.shape) { raw in
            for (k, n) in shape.enumerated() { raw.storeBytes(of: Int64(n), toByteOffset: k * 8, as: Int64.self) }
        }
        withUnsafeMutableBytes(of: &t.strides) { raw in
            for (k, s) in strides.enumerated() { raw.storeBytes(of: Int64(s), toByteOffset: k * 8, as: Int64.self) }
        }
        t.data = data
        return t
    }

    static func float(_ p: UnsafeMutablePointer<Float>?, _ shape: [Int]) -> ldmp_tensor {
        view(UnsafeMutableRawPointer(p), LDMP_DTYPE_F32, shape)
    }

    /// Reads rank/shape back (for views a plugin filled, e.g. get_weights).
    static func shape(of t: ldmp_tensor) -> [Int] {
        withUnsafeBytes(of: t.shape) { raw in
            (0..<Int(Swift.min(t.rank, UInt32(LDMP_MAX_RANK)))).map { Int(raw.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }

    static func strides(of t: ldmp_tensor) -> [Int] {
        withUnsafeBytes(of: t.strides) { raw in
            (0..<Int(Swift.min(t.rank, UInt32(LDMP_MAX_RANK)))).map { Int(raw.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }

    /// Copies an F32 view (any strides) into a contiguous array.
    static func copyFloats(_ t: ldmp_tensor) -> [Float]? {
        guard t.dtype == LDMP_DTYPE_F32.rawValue else { return nil }
        let shape = shape(of: t), strides = strides(of: t)
        // A plugin's shape is checked before it sizes an allocation: no negative sizes, no overflowing product.
        var n = 1
        for d in shape {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow, p <= 1 << 34 else { return nil }
            n = p
        }
        guard n > 0 else { return [] }
        guard let base = t.data?.assumingMemoryBound(to: Float.self) else { return nil }
        var out = [Float](repeating: 0, count: n)
        var index = [Int](repeating: 0, count: shape.count)
        for i in 0..<n {
            var off = 0
            for k in 0..<shape.count { off += index[k] * strides[k] }
            out[i] = base[off]
            var k = shape.count - 1
            while k >= 0 { index[k] += 1; if index[k] < shape[k] { break }; index[k] = 0; k -= 1 }
        }
        return out
    }
}

/// Throws when `count` elements do not fill `shape`.
func checkCount(_ count: Int, _ shape: [Int], _ what: String, _ function: String, plugin: String = "") throws {
    guard shape.count <= Int(LDMP_MAX_RANK), shape.allSatisfy({ $0 >= 0 }) else {
        throw PluginError.invalidInput(plugin: plugin, function: function, reason: "\(what): bad shape \(shape)")
    }
    var needed = 1
    for d in shape {
        let (p, overflow) = needed.multipliedReportingOverflow(by: d)
        guard !overflow else {
            throw PluginError.invalidInput(plugin: plugin, function: function, reason: "\(what): shape \(shape) overflows")
        }
        needed = p
    }
    guard needed == count else {
        throw PluginError.invalidInput(plugin: plugin, function: function,
                                       reason: "\(what) has \(count) values, shape \(shape) needs \(needed)")
    }
}
