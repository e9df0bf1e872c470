// Adam on an activation: minimises a probe's loss (closed-form gradient from the probe plugin's loss_gradient)
// starting at the model's own activation — the edit of Chen et al.'s intervention experiments (torch.optim.Adam
// defaults: β1 0.9, β2 0.999, ε 1e-8, no weight decay).
import Foundation
import Pipeline

public struct AdamEditor: Sendable {
    public var learningRate: Float
    public var iterations: Int
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8

    public init(learningRate: Float = 5e-3, iterations: Int = 128) {
        self.learningRate = learningRate
        self.iterations = iterations
    }

    /// The loss before the first and after the last step.
    public struct Result: Sendable {
        public var initialLoss: Double
        public var finalLoss: Double
    }

    /// Optimises `x` in place. `lossGradient(x)` returns the loss and d loss / d x (same count as x).
    @discardableResult
    public func optimise(_ x: inout [Float], _ lossGradient: ([Float]) throws -> (Double, [Float])) rethrows -> Result {
        let n = x.count
        var m = [Float](repeating: 0, count: n), v = [Float](repeating: 0, count: n)
        var initial = Double.nan
        for t in 1 ... max(iterations, 1) where iterations > 0 {
            let (loss, g) = try lossGradient(x)
            if t == 1 { initial = loss }
            let c1 = 1 - pow(beta1, Float(t)), c2 = 1 - pow(beta2, Float(t))
            let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon
            x.withUnsafeMutableBufferPointer { xp in
                m.withUnsafeMutableBufferPointer { mp in
                    v.withUnsafeMutableBufferPointer { vp in
                        g.withUnsafeBufferPointer { gp in
                            for i in 0 ..< n {
                                mp[i] = b1 * mp[i] + (1 - b1) * gp[i]
                                vp[i] = b2 * vp[i] + (1 - b2) * gp[i] * gp[i]
                                xp[i] -= lr * (mp[i] / c1) / ((vp[i] / c2).squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
        let final = try lossGradient(x).0
        return Result(initialLoss: iterations > 0 ? initial : final, finalLoss: final)
    }
}
