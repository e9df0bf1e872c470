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
