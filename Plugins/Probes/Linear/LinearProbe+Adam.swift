// Adam fitting, the studies' recipe: minibatches of `batch` examples in an order reshuffled every epoch
// (SplitMix64(seed).permutation, continued across epochs), loss = mean over every label pixel of the batch,
// torch.optim.Adam's update (betas 0.9/0.999, eps 1e-8, no weight decay). Without set_weights the weights start
// as PyTorch's Conv2d default: U(−1/√C, 1/√C) for weight and bias, drawn from SplitMix64(~seed).
import COpenBLAS
import Foundation
import PluginKit
import SeededRandom

extension LinearProbe {
    func fitAdam(progress: (Int, Int) -> Void) throws {
        guard !examples.isEmpty else {
            throw PluginKitError.invalidArgument("linear: fit called with no training examples (hint: add_example first)")
        }
        let C = channels, O = outputs
        if !hasWeights { initialiseWeights() }
        let loss = lossForTraining
        let beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8
        var mW = [Float](repeating: 0, count: O * C), vW = mW
        var mB = [Float](repeating: 0, count: O), vB = mB
        var gW = [Float](repeating: 0, count: O * C), gB = [Float](repeating: 0, count: O)
        let maxT = examples.map { $0.map.tokens }.max() ?? 0
        var pred = [Float](repeating: 0, count: O * maxT), g = pred
        var rng = SplitMix64(seed: config.seed)
        var step = 0
        for epoch in 0..<config.epochs {
            let order = rng.permutation(examples.count)
            var epochLoss = 0.0, epochPixels = 0.0
            var start = 0
            while start < order.count {
                let batch = order[start..<min(start + config.batch, order.count)]
                start += config.batch
                let N = Double(batch.reduce(0) { $0 + examples[$1].map.pixels })
                for i in 0..<gW.count { gW[i] = 0 }
                for i in 0..<O { gB[i] = 0 }
                for e in batch {
                    let ex = examples[e]
                    let T = ex.map.tokens
                    ex.activation.withUnsafeBufferPointer { a in
                        pred.withUnsafeMutableBufferPointer { p in
                            g.withUnsafeMutableBufferPointer { gp in
                                tokenOutputs(a.baseAddress!, tokens: T, into: p.baseAddress!)
                                epochLoss += TokenLossKernel.evaluate(loss: loss, pred: p.baseAddress!,
                                                                      label: ex.label, map: ex.map,
                                                                      grad: gp.baseAddress!)
                                let scale = Float(1 / N)
                                for i in 0..<(O * T) { gp[i] *= scale }
                                // gW [O, C] += G [O, T] · Aᵀ [T, C]
                                gW.withUnsafeMutableBufferPointer { gw in
                                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(O), Int32(C),
                                                Int32(T), 1, gp.baseAddress, Int32(T), a.baseAddress, Int32(T), 1,
                                                gw.baseAddress, Int32(C))
                                }
                                if config.bias {
                                    for o in 0..<O { var s: Float = 0; for t in 0..<T { s += gp[o * T + t] }; gB[o] += s }
                                }
                            }
                        }
                    }
                }
                epochPixels += N
                step += 1
                let bc1 = 1 - pow(Double(beta1), Double(step)), bc2 = 1 - pow(Double(beta2), Double(step))
                let stepSize = Float(Double(config.lr) / bc1), bc2Sqrt = Float(bc2.squareRoot())
                adamUpdate(&weight, grad: gW, m: &mW, v: &vW, beta1: beta1, beta2: beta2, eps: eps,
                           stepSize: stepSize, bc2Sqrt: bc2Sqrt)
                if config.bias {
                    adamUpdate(&bias, grad: gB, m: &mB, v: &vB, beta1: beta1, beta2: beta2, eps: eps,
                               stepSize: stepSize, bc2Sqrt: bc2Sqrt)
                }
            }
            lastLoss = epochLoss / epochPixels
            guard lastLoss.isFinite else {
                throw PluginKitError.internalError("linear: training loss became \(lastLoss) in epoch \(epoch + 1) (hint: lower lr or normalise the label)")
            }
            progress(epoch + 1, config.epochs)
        }
    }

    /// torch.optim.Adam's single-tensor update: m ← lerp(m, g, 1−β1); v ← β2·v + (1−β2)·g²;
    /// p ← p − step·m / (√v/√bc2 + eps).
    private func adamUpdate(_ p: inout [Float], grad: [Float], m: inout [Float], v: inout [Float],
                            beta1: Float, beta2: Float, eps: Float, stepSize: Float, bc2Sqrt: Float) {
        for i in 0..<p.count {
            let gi = grad[i]
            m[i] += (gi - m[i]) * (1 - beta1)
            v[i] = v[i] * beta2 + (1 - beta2) * gi * gi
            let denom = v[i].squareRoot() / bc2Sqrt + eps
            p[i] -= stepSize * (m[i] / denom)
        }
    }

    /// PyTorch Conv2d's default init bound for a 1×1 kernel: 1/√fan_in, fan_in = C.
    func initialiseWeights() {
        var rng = SplitMix64(seed: ~config.seed)
        let bound = 1 / Float(channels).squareRoot()
        for i in 0..<weight.count { weight[i] = (rng.nextUnitFloat() * 2 - 1) * bound }
        if config.bias { for i in 0..<bias.count { bias[i] = (rng.nextUnitFloat() * 2 - 1) * bound } }
    }
}
