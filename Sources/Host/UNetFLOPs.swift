// Analytic FLOP counts of one UNet call per op kind, from the config alone (no weights): `ldmprobe bench unet`
// divides them by the profiler's wall time per kind to print GFLOP/s per op kind, and by the median call time for
// the whole call. A multiply-add counts 2 FLOPs. Norms and softmax are memory-bound and have no agreed count:
// they use fixed per-element conventions (below) so that their rates compare across runs, not across tools.
import Models

struct UNetFLOPs {
    /// The op kinds counted, in table order.
    static let kinds = ["conv3x3", "conv1x1", "linear", "attention", "groupnorm", "layernorm"]
    /// GroupNorm / LayerNorm per element: sum, sum of squares (2), subtract, scale, affine multiply-add (2).
    static let normFLOPsPerElement = 7.0
    /// Softmax per score: max, subtract, exp, sum, normalise.
    static let softmaxFLOPsPerScore = 5.0

    /// op kind → FLOPs of one call.
    private(set) var byKind: [String: Double] = [:]

    var total: Double { byKind.values.reduce(0, +) }

    /// Counts one call on latents [batch, in_channels, height, width] with a text context of `contextLength` tokens.
    /// The walk mirrors UNet2DConditionModel (down blocks, mid block, up blocks with their skip concatenations).
    init(config: UNetConfig, latentHeight: Int, latentWidth: Int, batch: Int, contextLength: Int = 77) {
        let b = Double(batch), s = Double(contextLength)
        let c = config.blockOutChannels, n = c.count, temb = c[0] * 4
        func add(_ kind: String, _ flops: Double) { byKind[kind, default: 0] += flops }
        func conv(_ ci: Int, _ co: Int, kernel k: Int, _ oh: Int, _ ow: Int) {
            add(k == 1 ? "conv1x1" : "conv3x3", 2 * b * Double(co * oh * ow) * Double(ci * k * k))
        }
        func linear(rows: Double, _ i: Int, _ o: Int) { add("linear", 2 * rows * Double(i) * Double(o)) }
        func norm(_ kind: String, _ elements: Double) { add(kind, Self.normFLOPsPerElement * b * elements) }
        func resnet(_ i: Int, _ o: Int, _ h: Int, _ w: Int) {
            norm("groupnorm", Double(i * h * w))
            conv(i, o, kernel: 3, h, w)
            linear(rows: b, temb, o)                                       // time_emb_proj
            norm("groupnorm", Double(o * h * w))
            conv(o, o, kernel: 3, h, w)
            if i != o { conv(i, o, kernel: 1, h, w) }                        // conv_shortcut
        }
        func attention(_ ch: Int, heads: Int, queries: Double, keys: Double) {
            add("attention", 2 * 2 * b * queries * keys * Double(ch))        // Q·Kᵀ and P·V over all heads
            add("attention", Self.softmaxFLOPsPerScore * b * Double(heads) * queries * keys)
        }
        func transformer(_ ch: Int, _ h: Int, _ w: Int, level: Int) {
            let t = Double(h * w), rows = b * t
            norm("groupnorm", Double(ch * h * w))
            linear(rows: rows, ch, ch)                                       // proj_in (a 1×1 conv in SD v1)
            for _ in 0..<config.transformerLayers(level) {
                norm("layernorm", t * Double(ch))
                for _ in 0..<4 { linear(rows: rows, ch, ch) }                // attn1 q, k, v, out
                attention(ch, heads: config.heads(level), queries: t, keys: t)
                norm("layernorm", t * Double(ch))
                linear(rows: rows, ch, ch)                                   // attn2 q
                for _ in 0..<2 { linear(rows: b * s, config.crossAttentionDim, ch) }  // attn2 k, v
                attention(ch, heads: config.heads(level), queries: t, keys: s)
                linear(rows: rows, ch, ch)                                   // attn2 out
                norm("layernorm", t * Double(ch))
                linear(rows: rows, ch, 8 * ch)                               // GEGLU projection
                linear(rows: rows, 4 * ch, ch)                               // ff out
            }
            linear(rows: rows, ch, ch)                                       // proj_out
        }

        linear(rows: b, c[0], temb)                                          // time_embedding.linear_1
        linear(rows: b, temb, temb)                                          // time_embedding.linear_2
        var (h, w) = (latentHeight, latentWidth)
        conv(config.inChannels, c[0], kernel: 3, h, w)
        var sizes = [(h, w)]                                                 // one per skip connection
        for i in 0..<n {
            for j in 0..<config.layersPerBlock {
                resnet(j == 0 ? (i == 0 ? c[0] : c[i - 1]) : c[i], c[i], h, w)
                if config.downBlockTypes[i] == "CrossAttnDownBlock2D" { transformer(c[i], h, w, level: i) }
                sizes.append((h, w))
            }
            if i < n - 1 {
                (h, w) = ((h + 1) / 2, (w + 1) / 2)                          // 3×3, stride 2, padding 1
                conv(c[i], c[i], kernel: 3, h, w)
                sizes.append((h, w))
            }
        }
        resnet(c[n - 1], c[n - 1], h, w)
        transformer(c[n - 1], h, w, level: n - 1)
        resnet(c[n - 1], c[n - 1], h, w)
        let rev = Array(c.reversed())
        for i in 0..<n {
            let layers = config.layersPerBlock + 1
            for j in 0..<layers {
                sizes.removeLast()
                let skip = j == layers - 1 ? rev[min(i + 1, n - 1)] : rev[i]
                resnet((j == 0 ? rev[max(i - 1, 0)] : rev[i]) + skip, rev[i], h, w)
                if config.upBlockTypes[i] == "CrossAttnUpBlock2D" { transformer(rev[i], h, w, level: n - 1 - i) }
            }
            if i < n - 1, let next = sizes.last {
                (h, w) = next                                                // nearest upsample to the skip's size
                conv(rev[i], rev[i], kernel: 3, h, w)
            }
        }
        norm("groupnorm", Double(c[0] * h * w))                              // conv_norm_out
        conv(c[0], config.outChannels, kernel: 3, h, w)
    }
}
