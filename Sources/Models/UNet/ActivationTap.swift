// Capture points inside a model's forward pass, named by the exact diffusers module path.
import Tensor

/// A consumer of activations (run-folder writer, streaming probe, intervention).
///
/// The model asks `wants` once per capture path when the tap is attached (and caches the answers), then, during
/// each forward call, hands every wanted activation to `visit` in execution order. The activation is `inout`: an
/// intervention may replace it (same shape) and the forward pass continues with the edited value. `visit` runs on
/// the calling thread; keep it short or copy the tensor out.
///
/// Paths (UNet, see `UNet2DConditionModel.layerPaths`):
/// - `…attentions.k.transformer_blocks.0.attn1` — self-attention output after `to_out.0` (before dropout and the
///   residual add), [B, H·W, C], tokens row-major over (h, w); `…attn2` likewise for cross-attention.
/// - `…attn2.probs` — cross-attention probabilities softmax(QKᵀ/√d), [B, heads, H·W, S] (S text tokens, 77);
///   computed only when a tap wants them, and an edit of them does not change the forward pass.
/// - `…resnets.k` ([B, C, H, W]), `…attentions.k` (Transformer2DModel output, [B, C, H, W]),
/// - `down_blocks.i`, `mid_block`, `up_blocks.i` (block outputs, after the down/upsampler).
public protocol ActivationTap: AnyObject {
    /// Whether this tap wants the activation at `path` (asked once per path at attach time).
    func wants(_ path: String) -> Bool
    /// Receives the activation at `path` during a forward call; may edit it in place (keeping its shape).
    func visit(_ path: String, _ activation: inout Tensor)
}

/// The attached tap and the paths it asked for; a forward pass calls `visit` at every capture point.
struct TapPlan {
    let tap: ActivationTap?
    let wanted: Set<String>

    static let none = TapPlan(tap: nil, wanted: [])

    init(tap: ActivationTap?, wanted: Set<String>) {
        self.tap = tap
        self.wanted = wanted
    }

    init(tap: ActivationTap?, paths: [String]) {
        self.tap = tap
        self.wanted = tap.map { t in Set(paths.filter { t.wants($0) }) } ?? []
    }

    /// Whether the tap asked for `path` (lets a layer skip work only a capture needs).
    @inline(__always)
    func wants(_ path: String) -> Bool { !wanted.isEmpty && wanted.contains(path) }

    @inline(__always)
    func visit(_ path: String, _ x: inout Tensor) {
        if let tap, !wanted.isEmpty, wanted.contains(path) {
            let shape = x.shape
            tap.visit(path, &x)
            precondition(x.shape == shape, "tap at \(path) changed the activation's shape \(shape) → \(x.shape)")
        }
    }
}
