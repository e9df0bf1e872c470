// PluginKit — ldmp_tensor views (tensor.h) as Swift buffers, with shape checks.
//
//     let eps = try TensorView.floats(modelOutput, "model_output")                  // any shape, F32 contiguous
//     let x   = try TensorView.floats(sample, "sample", shape: eps.shape)           // same shape as eps
//     let out = try TensorView.mutableFloats(prevSample, "prev_sample", shape: eps.shape)
//     for i in 0..<out.count { out.buffer[i] = x.buffer[i] - eps.buffer[i] }
//     let img = try TensorView.bytes(image, "image", shape: [nil, nil, 3])           // U8 [H, W, 3], nil = any
//
// Views are borrowed: valid during the ABI call only (tensor.h). Errors name the argument, the expected and the
// actual dtype/shape, and throw PluginKitError.invalidArgument.
import PluginABI

public struct TensorView<Element> {
    public let buffer: UnsafeMutableBufferPointer<Element>
    public let shape: [Int]
    public var count: Int { buffer.count }
}

extension TensorView where Element == Float {
    /// An F32 contiguous tensor, read-only by contract (the buffer is mutable only because C gives no const).
    public static func floats(_ tensor: UnsafePointer<ldmp_tensor>?, _ name: String,
                              shape expected: [Int?]? = nil) throws -> TensorView<Float> {
        try view(tensor, name, dtype: LDMP_DTYPE_F32, expected)
    }

    public static func floats(_ tensor: UnsafePointer<ldmp_tensor>?, _ name: String,
                              shape expected: [Int]) throws -> TensorView<Float> {
        try view(tensor, name, dtype: LDMP_DTYPE_F32, expected.map { Optional($0) })
    }

    /// An F32 contiguous tensor the function writes.
    public static func mutableFloats(_ tensor: UnsafeMutablePointer<ldmp_tensor>?, _ name: String,
                                     shape expected: [Int?]? = nil) throws -> TensorView<Float> {
        try view(UnsafePointer(tensor), name, dtype: LDMP_DTYPE_F32, expected)
    }

    public static func mutableFloats(_ tensor: UnsafeMutablePointer<ldmp_tensor>?, _ name: String,
                                     shape expected: [Int]) throws -> TensorView<Float> {
        try view(UnsafePointer(tensor), name, dtype: LDMP_DTYPE_F32, expected.map { Optional($0) })
    }
}

extension TensorView where Element == UInt8 {
    /// A U8 contiguous tensor (images: [H, W, 3]).
    public static func bytes(_ tensor: UnsafePointer<ldmp_tensor>?, _ name: String,
                             shape expected: [Int?]? = nil) throws -> TensorView<UInt8> {
        try view(tensor, name, dtype: LDMP_DTYPE_U8, expected)
    }
}

extension TensorView {
    static func view(_ tensor: UnsafePointer<ldmp_tensor>?, _ name: String, dtype: ldmp_dtype,
                     _ expected: [Int?]?) throws -> TensorView<Element> {
        guard let tensor else { throw PluginKitError.invalidArgument("\(name): tensor is NULL") }
        guard UnsafeRawPointer(tensor).load(as: UInt32.self) >= StaticStorage.size(of: ldmp_tensor.self) else {
            throw PluginKitError.invalidArgument("\(name): tensor struct_size too small (host too old?)")
        }
        let t = tensor.pointee
        let shape = t.shapeArray
        let want = expected.map { "[" + $0.map { $0.map(String.init) ?? "_" }.joined(separator: ", ") + "]" }
        func fail(_ why: String) -> PluginKitError {
            .invalidArgument("\(name): expected \(dtypeName(dtype.rawValue)) \(want ?? "") contiguous, got "
                             + "\(dtypeName(t.dtype)) \(shape) (\(why))")
        }
        guard t.rank <= UInt32(LDMP_MAX_RANK) else { throw fail("rank \(t.rank) > \(LDMP_MAX_RANK)") }
        guard t.dtype == dtype.rawValue else { throw fail("wrong dtype") }
        if let expected {
            guard expected.count == shape.count else { throw fail("wrong rank") }
            for (e, s) in zip(expected, shape) where e != nil && e != s { throw fail("wrong shape") }
        }
        guard t.isContiguous else { throw fail("not contiguous: strides \(t.strideArray)") }
        let n = t.elementCount
        guard n == 0 || t.data != nil else { throw fail("data is NULL") }
        let base = t.data?.assumingMemoryBound(to: Element.self)
        return TensorView(buffer: UnsafeMutableBufferPointer(start: n == 0 ? nil : base, count: n), shape: shape)
    }
}
