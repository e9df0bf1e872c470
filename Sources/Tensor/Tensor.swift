// Tensor: a dense, contiguous, row-major float32 array — the one value type the model runtime computes on.
// Kernels (OpenBLAS sgemm, conv2d, norms, attention) live in Tensor+Topic.swift files beside this one.

/// A dense row-major float32 tensor. Axes are named in shape comments where tensors are used: [B, C, H, W].
public struct Tensor {
    /// Extent of each axis, outermost first.
    public var shape: [Int]
    /// shape.reduce(1, *) elements, row-major.
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "Tensor: shape \(shape) does not hold \(data.count) elements")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// A tensor whose elements are left unset: for kernels that write every element before anyone reads it.
    public init(uninitialized shape: [Int]) {
        let n = shape.reduce(1, *)
        self.shape = shape
        self.data = [Float](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
    }

    /// An uninitialised tensor whose buffer has room for at least `capacity` elements, to be grown in place later
    /// (`concatChannels(_:_:)`; the UNet's upsampler, see Upsample2D). Pages past the elements are not touched.
    public init(uninitialized shape: [Int], capacity: Int) {
        let n = shape.reduce(1, *)
        self.shape = shape
        self.data = [Float](unsafeUninitializedCapacity: max(n, capacity)) { _, initialized in initialized = n }
    }

    /// Number of elements.
    public var count: Int { data.count }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }
}
