// Parameter: a model weight as it stays in memory — float32, or binary16 widened to float32 right before each use
// (half residency: a fp16 checkpoint costs half the RAM, and its values are exactly those widened at load).

/// A weight tensor held in float32 or half precision. Layers read it through `withFloat32`, which hands out the
/// float32 values: the stored array itself, or (half) a scratch buffer widened for the duration of the call.
public struct Parameter {
    /// Extent of each axis, outermost first ([O, I, kh, kw] for a conv, [O, I] for a linear layer).
    public let shape: [Int]
    let storage: Storage

    enum Storage {
        case float(Tensor)
        /// `count` halves of `buffer` from `offset` (a slice of outer rows shares its parent's buffer).
        case half(HalfBuffer, offset: Int)
        /// Float32 values borrowed for the duration of a `widened` call.
        case borrowed(UnsafePointer<Float>)
    }

    /// A float32 parameter (today's residency).
    public init(_ tensor: Tensor) {
        shape = tensor.shape
        storage = .float(tensor)
    }

    /// A half parameter; `half.count` must equal the shape's element count.
    public init(half: HalfBuffer, shape: [Int]) {
        precondition(half.count == shape.reduce(1, *), "Parameter: \(half.count) halves do not fill shape \(shape)")
        self.shape = shape
        storage = .half(half, offset: 0)
    }

    /// `tensor` rounded to half precision (ties to even): the opt-in `f16` residency for float32 files.
    public static func narrowing(_ tensor: Tensor) -> Parameter {
        let half = tensor.data.withUnsafeBufferPointer { HalfBuffer(narrowing: $0.baseAddress!, count: tensor.count) }
        return Parameter(half: half, shape: tensor.shape)
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Whether the values are stored as binary16.
    public var isHalf: Bool {
        if case .half = storage { return true }
        return false
    }

    /// Bytes the stored values occupy (0 for a borrowed view).
    public var residentBytes: Int {
        switch storage {
        case .float(let t): return 4 * t.count
        case .half: return 2 * count
        case .borrowed: return 0
        }
    }

    /// Runs `body` with the float32 values (row-major, `count` of them), valid only during the call.
    public func withFloat32<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        switch storage {
        case .float(let t):
            return try t.data.withUnsafeBufferPointer { try body($0.baseAddress!) }
        case .borrowed(let p):
            return try body(p)
        case .half(let h, let offset):
            let n = count
            return try WideningScratch.with(n) { scratch in
                Profiler.time("weights.widen") { HalfConversion.widen(h.base + offset, into: scratch, count: n) }
                return try body(scratch)
            }
        }
    }

    /// Runs `body` with the stored values as they are — float32, or binary16 when `isHalf` — for kernels that
    /// widen while they pack (the Winograd conv). Valid only during the call.
    public func withRawValues<R>(_ body: (UnsafeRawPointer, _ isHalf: Bool) throws -> R) rethrows -> R {
        switch storage {
        case .float(let t): return try t.data.withUnsafeBytes { try body($0.baseAddress!, false) }
        case .borrowed(let p): return try body(UnsafeRawPointer(p), false)
        case .half(let h, let offset): return try body(UnsafeRawPointer(h.base + offset), true)
        }
    }

    /// Runs `body` with a float32 view of this parameter, so a layer used several times in a row (chunked
    /// rows) widens a half weight once. The view must not escape the call.
    public func widened<R>(_ body: (Parameter) throws -> R) rethrows -> R {
        guard isHalf else { return try body(self) }
        return try withFloat32 { try body(Parameter(shape: shape, storage: .borrowed($0))) }
    }

    private init(shape: [Int], storage: Storage) {
        self.shape = shape
        self.storage = storage
    }

    /// Floats above which a layer widens a half weight in blocks of output rows (`rows`), so the widening
    /// scratch stays small next to the weights themselves (4 M floats = 16 MB). Tests lower it.
    nonisolated(unsafe) public static var wideningBlockFloats = 4 << 20

    /// Bytes the widening scratch pool holds between uses (memory reports).
    public static var wideningScratchBytes: Int { 4 * WideningScratch.heldFloats }

    /// Output rows (outermost axis) per widening block: all of them for float32 weights or small half ones.
    public var rowsPerBlock: Int {
        let rows = shape.first ?? 1, per = max(1, count / max(1, rows))
        guard isHalf, count > Self.wideningBlockFloats else { return rows }
        return max(1, Self.wideningBlockFloats / per)
    }

    /// Outer rows start ..< start + n as a parameter of shape [n, ...] (half storage shares the buffer; float32
    /// is copied, so callers slice only half weights).
    public func rows(_ start: Int, _ n: Int) -> Parameter {
        let rows = shape.first ?? 1
        precondition(start >= 0 && n >= 0 && start + n <= rows, "Parameter: rows \(start)..<\(start + n) of \(rows)")
        let per = count / max(1, rows)
        let newShape = [n] + shape.dropFirst()
        switch storage {
        case .half(let h, let offset): return Parameter(shape: newShape, storage: .half(h, offset: offset + start * per))
        case .borrowed(let p): return Parameter(shape: newShape, storage: .borrowed(p + start * per))
        case .float(let t):
            return Parameter(Tensor(shape: newShape, data: Array(t.data[(start * per)..<((start + n) * per)])))
        }
    }

    /// The same values under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Parameter {
        precondition(newShape.reduce(1, *) == count, "Parameter: shape \(newShape) does not hold \(count) elements")
        switch storage {
        case .float(let t): return Parameter(t.reshaped(newShape))
        default: return Parameter(shape: newShape, storage: storage)
        }
    }

    /// The values as a float32 tensor (a copy for half storage): tests, and code that needs a Tensor.
    public var tensor: Tensor {
        switch storage {
        case .float(let t): return t
        default:
            var t = Tensor(uninitialized: shape)
            t.data.withUnsafeMutableBufferPointer { dst in
                withFloat32 { dst.baseAddress!.update(from: $0, count: count) }
            }
            return t
        }
    }
}
