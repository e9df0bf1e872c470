// ClassifierSupport — a VGG network (torchvision.models.VGG in eval mode) and its forward pass.
//
// features: [conv3×3 pad 1 (+ batch norm, folded into the conv at load) → ReLU | maxpool 2×2] per stage,
// then AdaptiveAvgPool2d(7, 7), flatten (C, 7, 7 order), classifier Linear → ReLU → Linear → ReLU → Linear
// (dropout is the identity in eval). Convs and linears run through Tensor's kernels; for one image the large
// Linears stream their weights (VGGNetwork+Head.swift) and a ReLU before a pool runs inside it.
import Tensor

public final class VGGNetwork {
    /// One conv layer: weight [O, I, 3, 3], bias [O] (batch norm already folded in).
    public struct Conv {
        public var weight: Tensor  // [O, I, 3, 3]
        public var bias: Tensor    // [O]
    }

    /// One classifier Linear: weight [O, I], bias [O].
    public struct Linear {
        public var weight: Tensor  // [O, I]
        public var bias: Tensor    // [O]

        public init(weight: Tensor, bias: Tensor) {
            self.weight = weight
            self.bias = bias
        }
    }

    public let config: VGGConfig
    /// Convs in stage order (one per `.conv` stage).
    public let convs: [Conv]
    /// classifier.0, classifier.3, classifier.6.
    public let linears: [Linear]

    /// Number of classes (rows of classifier.6.weight).
    public var classCount: Int { linears[2].weight.shape[0] }
    /// Parameter count (after folding batch norm).
    public var parameterCount: Int {
        convs.reduce(0) { $0 + $1.weight.count + $1.bias.count } + linears.reduce(0) { $0 + $1.weight.count + $1.bias.count }
    }

    public init(config: VGGConfig, convs: [Conv], linears: [Linear]) {
        precondition(convs.count == config.stages.filter { $0 == .conv }.count && linears.count == 3,
                     "VGGNetwork: layer counts do not fit \(config.name)")
        self.config = config
        self.convs = convs
        self.linears = linears
    }

    /// Logits for a batch of preprocessed images: x [B, 3, H, W] → [B, classes].
    public func logits(_ x: Tensor) -> Tensor {
        var h = features(x)                         // [B, C, H/32, W/32]
        h = Self.adaptiveAvgPool(h, size: 7)        // [B, C, 7, 7]
        let b = h.shape[0]
        var v = h.reshaped([b, h.count / b])        // [B, C·49]
        for (i, l) in linears.enumerated() {
            v = b == 1 && l.weight.count >= Self.streamedHeadFloats
                ? Self.linearOneRow(v, l) : v.linear(weight: l.weight, bias: l.bias)   // [B, O]
            if i < 2 { Self.reluInPlace(&v) }
        }
        return v                                    // [B, classes]
    }

    /// The feature stages: x [B, 3, H, W] → [B, C, H/2^pools, W/2^pools]; `tap` sees each pool's input (after
    /// its ReLU). Without a tap, a conv's ReLU before a pool runs inside the pool, on the pooled map (same values).
    public func features(_ x: Tensor, tap: ((Tensor) -> Void)? = nil) -> Tensor {
        var h = x                                   // [B, C, H, W]
        var next = 0
        let stages = config.stages
        for (s, stage) in stages.enumerated() {
            switch stage {
            case .conv:
                let c = convs[next]
                next += 1
                h = h.conv2d(weight: c.weight, bias: c.bias, stride: 1, padding: 1)
                let poolNext = s + 1 < stages.count && stages[s + 1] == .pool
                if tap != nil || !poolNext { Profiler.time("vgg.relu") { Self.reluInPlace(&h) } }
            case .pool:
                let fused = tap == nil && s > 0 && stages[s - 1] == .conv
                tap?(h)
                h = Profiler.time("vgg.maxpool") { h.maxPool2d(kernel: 2, stride: 2, relu: fused) }
            }
        }
        return h
    }

    /// Softmax probabilities: x [B, 3, H, W] → [B, classes].
    public func probabilities(_ x: Tensor) -> Tensor {
        let l = logits(x)
        return Profiler.time("softmax") { l.softmax() }
    }

    static func reluInPlace(_ t: inout Tensor) {
        let n = t.count
        t.data.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            let chunk = 1 << 16
            parallelFor((n + chunk - 1) / chunk) { c in
                let lo = c * chunk, hi = min(n, lo + chunk)
                // A select, not a branch, so it vectorises; NaN stays NaN (NaN < 0 is false), as torch's relu.
                for i in lo..<hi { base[i] = base[i] < 0 ? 0 : base[i] }
            }
        }
    }

    /// torch.nn.AdaptiveAvgPool2d((size, size)) of x [B, C, H, W]: bin i covers [⌊i·H/size⌋, ⌈(i+1)·H/size⌉).
    /// The identity when H = W = size (224×224 inputs).
    static func adaptiveAvgPool(_ x: Tensor, size: Int) -> Tensor {
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        if h == size && w == size { return x }
        var out = Tensor(zeros: [b, c, size, size])
        x.data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                for plane in 0..<(b * c) {
                    let src = xp.baseAddress! + plane * h * w
                    for oy in 0..<size {
                        let y0 = (oy * h) / size, y1 = ((oy + 1) * h + size - 1) / size
                        for ox in 0..<size {
                            let x0 = (ox * w) / size, x1 = ((ox + 1) * w + size - 1) / size
                            var s: Float = 0
                            for y in y0..<y1 { for xx in x0..<x1 { s += src[y * w + xx] } }
                            op[plane * size * size + oy * size + ox] = s / Float((y1 - y0) * (x1 - x0))
                        }
                    }
                }
            }
        }
        return out
    }
}
