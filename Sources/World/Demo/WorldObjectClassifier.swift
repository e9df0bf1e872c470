// World: the VGG-style object classifier — the Swift twin of tools/demo/common.py's ObjectClassifierNet.
// Input [B, 3, 64, 64] in [-1, 1]; output logits over ObjectKind (the first-named, i.e. leftmost, object).
import Tensor

/// Classifies the shape of a scene's first-named object.
public struct WorldObjectClassifier {
    public let classCount: Int
    public let width: Int
    let w: NetWeights
    /// (in, out) channels of the seven 3×3 convs, and after which of them a 2×2 max pool follows.
    let channels: [(Int, Int)]
    static let poolAfter: Set<Int> = [0, 2, 4, 6]   // 64→32→16→8→4, as common.py

    public init(path: String) throws {
        let c = try NetWeights.peekShape(path: path, key: "features.0.weight").first ?? 0
        let classes = try NetWeights.peekShape(path: path, key: "fc2.weight").first ?? 0
        guard c > 0, classes > 0 else { throw WorldError.badWeights(file: path, reason: "empty features.0/fc2") }
        channels = [(3, c), (c, c), (c, 2 * c), (2 * c, 2 * c), (2 * c, 4 * c), (4 * c, 4 * c), (4 * c, 4 * c)]
        var expected: [String: [Int]] = [:]
        for (i, (a, b)) in channels.enumerated() {
            for (k, s) in NetWeights.conv("features.\(i)", b, a, 3) { expected[k] = s }
        }
        expected["fc1.weight"] = [64, 4 * c * 4 * 4]; expected["fc1.bias"] = [64]
        expected["fc2.weight"] = [classes, 64]; expected["fc2.bias"] = [classes]
        w = try NetWeights(path: path, expected: expected)
        classCount = classes
        width = c
    }

    /// x: [B, 3, 64, 64] in [-1, 1] → logits [B, classes].
    public func logits(_ x: Tensor) -> Tensor {
        var h = x
        for i in 0..<channels.count {
            h = h.conv2d(weight: w["features.\(i).weight"], bias: w["features.\(i).bias"], stride: 1, padding: 1).relu()
            if Self.poolAfter.contains(i) { h = h.maxPool2d(kernel: 2, stride: 2) }
        }
        let b = h.shape[0]
        let flat = h.reshaped([b, h.count / b])                                  // [B, 4c·4·4], (C, H, W) order
        return flat.linear(weight: w["fc1.weight"], bias: w["fc1.bias"]).relu()
            .linear(weight: w["fc2.weight"], bias: w["fc2.bias"])                // [B, classes]
    }

    /// Softmax probabilities [B, classes].
    public func probabilities(_ x: Tensor) -> Tensor { logits(x).softmax() }
}
