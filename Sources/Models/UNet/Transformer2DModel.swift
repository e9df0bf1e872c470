// diffusers Transformer2DModel for continuous inputs (SD v1: GroupNorm eps 1e-6, 1×1 conv proj_in/proj_out;
// SD 2.x: Linear projections).
import Tensor

/// GroupNorm → proj_in → tokens [B, H·W, C] → BasicTransformerBlocks → proj_out → back to [B, C, H, W] + input.
public struct Transformer2DModel {
    public let path: String
    public var norm: GroupNorm
    public var projIn: Linear
    public var blocks: [BasicTransformerBlock]
    public var projOut: Linear

    public init(_ w: WeightLoader, _ path: String, channels c: Int, contextChannels: Int, heads: Int, layers: Int,
                groups: Int, linearProjection: Bool) throws {
        self.path = path
        norm = try GroupNorm(w, join(path, "norm"), groups: groups, channels: c, eps: 1e-6)
        // A 1×1 conv weight [C, C, 1, 1] is the same matrix as a Linear weight [C, C] (on tokens).
        let shape = linearProjection ? [c, c] : [c, c, 1, 1]
        projIn = Linear(weight: try w.takeParameter(join(path, "proj_in.weight"), shape),
                        bias: try w.take(join(path, "proj_in.bias"), [c]))
        blocks = try (0..<layers).map {
            try BasicTransformerBlock(w, join(path, "transformer_blocks.\($0)"), channels: c,
                                      contextChannels: contextChannels, heads: heads)
        }
        projOut = Linear(weight: try w.takeParameter(join(path, "proj_out.weight"), shape),
                         bias: try w.take(join(path, "proj_out.bias"), [c]))
    }

    /// x [B, C, H, W], context [B, S, D] → [B, C, H, W]
    func callAsFunction(_ x: Tensor, context: Tensor, taps: TapPlan) -> Tensor {
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var t = norm(x).reshaped([b, c, h * w]).transposedLastTwo()   // [B, HW, C]
        t = projIn.inPlace(consume t)                                    // over its input (C → C)
        for block in blocks { t = block(consume t, context: context, taps: taps) }
        t = projOut.inPlace(consume t)
        var out = t.transposedLastTwo().reshaped([b, c, h, w])        // [B, C, H, W]
        out.add(x)
        taps.visit(path, &out)
        return out
    }
}
