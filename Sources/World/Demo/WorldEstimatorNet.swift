// World: the per-pixel label estimator (a tiny U-Net with additive skips) — the Swift twin of
// tools/demo/common.py's EstimatorNet, layer for layer. Input [B, 3, 64, 64] in [-1, 1].
import Tensor

/// Foreground (2 logits), inverse depth (1) or shading (1) from an RGB image.
public struct WorldEstimatorNet {
    public let outChannels: Int
    public let width: Int
    let w: NetWeights

    /// Loads `path` (safetensors); the width (16 in the shipped nets) is read from enc1's weight.
    public init(path: String, outChannels: Int) throws {
        let probe = try NetWeights.peekShape(path: path, key: "enc1.weight")
        let c = probe.first ?? 0
        guard c > 0 else { throw WorldError.badWeights(file: path, reason: "enc1.weight has shape \(probe)") }
        var expected: [String: [Int]] = [:]
        for (k, s) in NetWeights.conv("enc1", c, 3, 3) + NetWeights.conv("enc2", 2 * c, c, 3)
            + NetWeights.conv("enc3", 2 * c, 2 * c, 3) + NetWeights.conv("mid", 2 * c, 2 * c, 3)
            + NetWeights.conv("dec2", 2 * c, 2 * c, 3) + NetWeights.conv("dec1", c, 2 * c, 3)
            + NetWeights.conv("out", outChannels, c, 1) { expected[k] = s }
        w = try NetWeights(path: path, expected: expected)
        self.outChannels = outChannels
        width = c
    }

    func conv(_ x: Tensor, _ name: String, stride: Int = 1, padding: Int = 1) -> Tensor {
        x.conv2d(weight: w["\(name).weight"], bias: w["\(name).bias"], stride: stride, padding: padding)
    }

    /// x: [B, 3, H, W] in [-1, 1], H and W divisible by 4 → [B, out, H, W].
    public func forward(_ x: Tensor) -> Tensor {
        let e1 = conv(x, "enc1").relu()                                          // [B, c, H, W]
        let e2 = conv(e1, "enc2", stride: 2).relu()                              // [B, 2c, H/2, W/2]
        let e3 = conv(e2, "enc3", stride: 2).relu()                              // [B, 2c, H/4, W/4]
        let m = conv(e3, "mid").relu() + e3                                      // [B, 2c, H/4, W/4]
        let d2 = conv(m.upsampleNearest(scale: 2), "dec2").relu() + e2           // [B, 2c, H/2, W/2]
        let d1 = conv(d2.upsampleNearest(scale: 2), "dec1").relu() + e1          // [B, c, H, W]
        return conv(d1, "out", padding: 0)                                       // [B, out, H, W]
    }
}

extension NetWeights {
    /// The shape of one key, before the strict load (to learn a width).
    static func peekShape(path: String, key: String) throws -> [Int] {
        do {
            return try SafetensorsFileShape.shape(path: path, key: key)
        } catch let e as WorldError {
            throw e
        } catch {
            throw WorldError.badWeights(file: path, reason: "\(error)")
        }
    }
}
