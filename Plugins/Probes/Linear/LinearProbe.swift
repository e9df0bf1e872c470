// LinearProbe: a per-token linear map from a layer's activation [C, h, w] to a per-pixel label [H, W] — a 1×1
// convolution (no bias by default, as in both studies), its output upsampled to label resolution with nearest
// neighbour and the loss computed there. Fitted by Adam (the studies' recipe) or in closed form (least squares
// from sufficient statistics). This file holds the state; fitting lives in LinearProbe+Adam/+LeastSquares.
import COpenBLAS
import Foundation
import PluginKit

/// How a probe is fitted.
enum LinearProbeFit: String { case adam, lstsq }

/// Everything `create` fixes about a probe.
struct LinearProbeConfig {
    /// binary (2 logits, cross-entropy) or continuous (1 value, huber/mse).
    var binary: Bool
    /// C of the activations.
    var channels: Int
    /// 2 for binary, 1 for continuous.
    var outputs: Int
    var fit: LinearProbeFit = .adam
    var loss: ProbeLoss = .huber(delta: 1)
    /// Adam step size (PyTorch default betas 0.9/0.999, eps 1e-8).
    var lr: Float = 1e-3
    var epochs: Int = 30
    var batch: Int = 4
    /// Seeds both the initial weights and the epoch shuffles.
    var seed: UInt64 = 0
    var bias: Bool = false
    /// Ridge strength for lstsq, on the mean-over-pixels scale: (XᵀX/N + λI) w = Xᵀy/N.
    var lambda: Double = 0
}

/// One stored training example (Adam keeps them; lstsq folds them into statistics and keeps none).
struct ProbeExample {
    /// [C, T] with T = h·w tokens row-major.
    var activation: [Float]
    var map: NearestMap
    var label: TokenLabel
}

final class LinearProbe {
    let config: LinearProbeConfig
    /// [outputs, C]
    var weight: [Float]
    /// [outputs] (zeros and unused without bias)
    var bias: [Float]
    /// True once weights were set or fitted (Adam then starts from them instead of a random init).
    var hasWeights = false

    var examples: [ProbeExample] = []
    /// Least-squares statistics, see LinearProbe+LeastSquares.swift.
    var stats: LeastSquaresStats
    private var maps: [NearestMap] = []

    /// Last fit's final mean training loss (for logs).
    var lastLoss: Double = .nan

    init(config: LinearProbeConfig) {
        self.config = config
        weight = [Float](repeating: 0, count: config.outputs * config.channels)
        bias = [Float](repeating: 0, count: config.outputs)
        stats = LeastSquaresStats(features: config.channels + (config.bias ? 1 : 0))
    }

    var channels: Int { config.channels }
    var outputs: Int { config.outputs }

    /// The (cached) nearest map for these sizes.
    func map(h: Int, w: Int, H: Int, W: Int) -> NearestMap {
        if let m = maps.first(where: { $0.h == h && $0.w == w && $0.H == H && $0.W == W }) { return m }
        let m = NearestMap(h: h, w: w, H: H, W: W)
        maps.append(m)
        return m
    }

    /// Adds one example: activation [C, h, w] (contiguous copy), label [H, W] (contiguous copy).
    func add(activation: [Float], h: Int, w: Int, label: [Float], H: Int, W: Int) throws {
        guard H >= h, W >= w else {
            throw PluginKitError.invalidArgument("linear: label \(H)×\(W) is smaller than the activation grid \(h)×\(w) (hint: labels live at image resolution)")
        }
        if config.binary, let bad = label.first(where: { $0 != 0 && $0 != 1 }) {
            throw PluginKitError.invalidArgument("linear: binary label holds \(bad); expected 0/1 (hint: the labeler thresholds foreground)")
        }
        let m = map(h: h, w: w, H: H, W: W)
        switch config.fit {
        case .adam:
            let tl = label.withUnsafeBufferPointer { TokenLabel(label: $0, map: m, loss: lossForTraining) }
            examples.append(ProbeExample(activation: activation, map: m, label: tl))
        case .lstsq:
            label.withUnsafeBufferPointer { stats.accumulate(activation: activation, label: $0, map: m,
                                                            binary: config.binary, bias: config.bias) }
        }
    }

    /// The loss Adam trains with: cross-entropy for binary labels, else the configured regression loss.
    var lossForTraining: ProbeLoss { config.binary ? .crossEntropy : config.loss }

    /// Per-token outputs [outputs, T] = W [outputs, C] · A [C, T] (+ b).
    func tokenOutputs(_ activation: UnsafePointer<Float>, tokens T: Int, into out: UnsafeMutablePointer<Float>) {
        let C = channels, O = outputs
        weight.withUnsafeBufferPointer { w in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(O), Int32(T), Int32(C), 1,
                        w.baseAddress, Int32(C), activation, Int32(T), 0, out, Int32(T))
        }
        if config.bias {
            for o in 0..<O { let b = bias[o]; for t in 0..<T { out[o * T + t] += b } }
        }
    }

    /// Predictions [outputs, H, W] at label resolution (nearest upsampling of the per-token outputs).
    func predict(activation: [Float], h: Int, w: Int, H: Int, W: Int,
                 into out: UnsafeMutablePointer<Float>, strides: (Int, Int, Int)) {
        let T = h * w
        var tokens = [Float](repeating: 0, count: outputs * T)
        activation.withUnsafeBufferPointer { a in
            tokens.withUnsafeMutableBufferPointer { tokenOutputs(a.baseAddress!, tokens: T, into: $0.baseAddress!) }
        }
        map(h: h, w: w, H: H, W: W).upsample(tokens, outputs: outputs, into: out, strides: strides)
    }

    /// Mean loss over the pixels of `target` [H, W] at this activation, and its gradient d loss / d activation
    /// [C, T] (closed form: Wᵀ·G/N with G the per-token summed pixel gradients).
    func lossGradient(activation: [Float], h: Int, w: Int, target: [Float], H: Int, W: Int) -> (Double, [Float]) {
        let m = map(h: h, w: w, H: H, W: W)
        let T = h * w, C = channels, O = outputs
        let loss = lossForTraining
        let tl = target.withUnsafeBufferPointer { TokenLabel(label: $0, map: m, loss: loss) }
        var pred = [Float](repeating: 0, count: O * T), g = [Float](repeating: 0, count: O * T)
        var grad = [Float](repeating: 0, count: C * T)
        let N = Double(m.pixels)
        var total = 0.0
        activation.withUnsafeBufferPointer { a in
            pred.withUnsafeMutableBufferPointer { p in
                tokenOutputs(a.baseAddress!, tokens: T, into: p.baseAddress!)
                g.withUnsafeMutableBufferPointer { gp in
                    total = TokenLossKernel.evaluate(loss: loss, pred: p.baseAddress!, label: tl, map: m,
                                                     grad: gp.baseAddress!)
                    let scale = Float(1 / N)
                    for i in 0..<(O * T) { gp[i] *= scale }
                    weight.withUnsafeBufferPointer { wp in
                        grad.withUnsafeMutableBufferPointer { gr in
                            // grad [C, T] = Wᵀ [C, O] · G [O, T]
                            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(C), Int32(T), Int32(O), 1,
                                        wp.baseAddress, Int32(C), gp.baseAddress, Int32(T), 0,
                                        gr.baseAddress, Int32(T))
                        }
                    }
                }
            }
        }
        return (total / N, grad)
    }

    /// Adds another instance's training data (examples or statistics) so that shards combine exactly.
    func merge(_ other: LinearProbe) throws {
        guard other.config.channels == channels, other.config.outputs == outputs,
              other.config.fit == config.fit, other.config.bias == config.bias, other.config.binary == config.binary
        else {
            throw PluginKitError.invalidArgument("linear: merge needs two probes of the same spec and fit (hint: same --probe parameters)")
        }
        examples += other.examples
        stats.add(other.stats)
    }

    /// Runs the configured fit.
    func fit(progress: (Int, Int) -> Void) throws {
        switch config.fit {
        case .adam: try fitAdam(progress: progress)
        case .lstsq: try fitLeastSquares()
        }
        hasWeights = true
    }
}
