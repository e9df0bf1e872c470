// The probe's losses, evaluated per token: a token's prediction is constant over the pixels it covers after
// nearest upsampling, so each loss and its gradient only need per-token label statistics (binary: count of ones;
// mse: sum and sum of squares) or, for Huber, the token's pixels grouped together. Results are sums over pixels;
// the caller divides by the pixel count for PyTorch's reduction="mean".
import Foundation

/// Which loss a probe minimises (cross-entropy for binary labels, Huber or MSE for continuous ones).
enum ProbeLoss: Equatable {
    case crossEntropy
    case huber(delta: Float)
    case mse
}

/// One training (or target) label reduced to what the loss needs, at token level.
struct TokenLabel {
    /// Per-token sum of the label: [T] (binary: the number of foreground pixels).
    var sums: [Double]
    /// Per-token sum of squares: [T] (mse only, else empty).
    var squares: [Double]
    /// Token-grouped pixel values: [H·W] (huber only, else empty).
    var grouped: [Float]

    init(label: UnsafeBufferPointer<Float>, map: NearestMap, loss: ProbeLoss) {
        sums = map.tokenSums(label)
        squares = []
        grouped = []
        switch loss {
        case .crossEntropy: break
        case .mse:
            var sq = [Double](repeating: 0, count: map.tokens)
            for y in 0..<map.H {
                let row = map.rowSource[y] * map.w
                for x in 0..<map.W {
                    let v = Double(label[y * map.W + x])
                    sq[row + map.colSource[x]] += v * v
                }
            }
            squares = sq
        case .huber: grouped = map.grouped(label)
        }
    }
}

enum TokenLossKernel {
    /// Sum over pixels of the loss, and its gradient with respect to each token's outputs summed over the
    /// token's pixels. pred, grad: [outputs, T] (binary: 2 logits, continuous: 1 value).
    static func evaluate(loss: ProbeLoss, pred: UnsafePointer<Float>, label: TokenLabel, map: NearestMap,
                         grad: UnsafeMutablePointer<Float>) -> Double {
        let T = map.tokens
        var total = 0.0
        switch loss {
        case .crossEntropy:
            for t in 0..<T {
                let n = Double(map.counts[t]), n1 = label.sums[t], n0 = n - n1
                let z0 = Double(pred[t]), z1 = Double(pred[T + t])
                let m = max(z0, z1)
                let lse = m + log(exp(z0 - m) + exp(z1 - m))
                total += n * lse - n1 * z1 - n0 * z0
                let g1 = n * exp(z1 - lse) - n1
                grad[t] = Float(-g1)
                grad[T + t] = Float(g1)
            }
        case .mse:
            for t in 0..<T {
                let n = Double(map.counts[t]), v = Double(pred[t])
                total += n * v * v - 2 * v * label.sums[t] + label.squares[t]
                grad[t] = Float(2 * (n * v - label.sums[t]))
            }
        case .huber(let delta):
            let d = Double(delta)
            label.grouped.withUnsafeBufferPointer { values in
                for t in 0..<T {
                    let v = Double(pred[t])
                    var g = 0.0
                    for i in map.offsets[t]..<map.offsets[t + 1] {
                        let r = v - Double(values[i])
                        if r > d { total += d * (r - 0.5 * d); g += d }
                        else if r < -d { total += d * (-r - 0.5 * d); g -= d }
                        else { total += 0.5 * r * r; g += r }
                    }
                    grad[t] = Float(g)
                }
            }
        }
        return total
    }
}
