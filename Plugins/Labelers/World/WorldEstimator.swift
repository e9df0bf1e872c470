// One world estimator instance: a WorldEstimatorNet plus what its labels look like (kind, resize, normalisation).
import World
import Tensor

final class WorldEstimator {
    enum Property: String { case foreground, depth, shading }
    enum Normalisation: String { case none, zscore, minmax }

    let name: String
    let property: Property
    let net: WorldEstimatorNet
    let inputSize: Int
    let normalisation: Normalisation
    let mean: Float
    let std: Float

    init(name: String, property: Property, weights: String, inputSize: Int, normalisation: Normalisation,
         mean: Float, std: Float) throws {
        self.name = name
        self.property = property
        net = try WorldEstimatorNet(path: weights, outChannels: property == .foreground ? 2 : 1)
        self.inputSize = inputSize
        self.normalisation = normalisation
        self.mean = mean
        self.std = std
    }

    var binary: Bool { property == .foreground }

    /// The label of one U8 [H, W, 3] image at height×width: the net runs at inputSize² (nearest resize in),
    /// its map is resized bilinearly to the size asked for; foreground = P(object) > 0.5, written as 0/1.
    func label(_ image: UnsafeBufferPointer<UInt8>, imageHeight: Int, imageWidth: Int, height: Int, width: Int) -> [Float] {
        let x = DemoImage.input(image, height: imageHeight, width: imageWidth, size: inputSize)  // [1, 3, S, S]
        let y = net.forward(x)                                                                   // [1, C, S, S]
        let s = inputSize
        var map: [Float]
        if property == .foreground {
            // P(foreground) = sigmoid(logit1 − logit0).
            map = (0..<(s * s)).map { i in 1 / (1 + expf(y.data[i] - y.data[s * s + i])) }
        } else {
            map = Array(y.data[0..<(s * s)])
        }
        map = DemoImage.resizeBilinear(map, height: s, width: s, to: height, width)
        if binary { return map.map { $0 > 0.5 ? 1 : 0 } }
        switch normalisation {
        case .none: return map
        case .zscore: return map.map { ($0 - mean) / std }
        case .minmax:
            let lo = map.min() ?? 0, hi = map.max() ?? 0
            return hi > lo ? map.map { ($0 - lo) / (hi - lo) } : map.map { _ in 0 }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
