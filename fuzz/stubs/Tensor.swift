// The one Tensor initialiser the parsers under fuzz construct results with (the real module needs BLAS and is
// not what is being tested); fuzz.sh compiles this instead of Sources/Tensor.
public struct Tensor {
    public var shape: [Int]
    public var data: [Float]
    public init(shape: [Int], data: [Float]) {
        self.shape = shape
        self.data = data
    }
}

// Stand-ins for the parameter types WeightSource names (half residency): the parsers under fuzz only hand them
// values, so they just hold them.
public final class HalfBuffer {
    public let values: [UInt16]
    public init(copying bytes: UnsafeRawPointer, count: Int) {
        values = (0..<count).map { bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self) }
    }
}

public struct Parameter {
    public let shape: [Int]
    public init(_ tensor: Tensor) { shape = tensor.shape }
    public init(half: HalfBuffer, shape: [Int]) { self.shape = shape }
    public static func narrowing(_ tensor: Tensor) -> Parameter { Parameter(tensor) }
}
