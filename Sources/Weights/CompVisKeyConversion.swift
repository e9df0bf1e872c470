// CompVisKeyConversion: ALL renaming of original CompVis/LDM single-file checkpoint keys to diffusers/transformers
// state-dict names, as one table of rules — the mapping of diffusers' single_file_utils
// (convert_ldm_unet_checkpoint, convert_ldm_vae_checkpoint, convert_ldm_clip_checkpoint; formerly
// scripts/convert_original_stable_diffusion_to_diffusers.py) for SD v1.x:
//   model.diffusion_model.*                 → unet          (layers_per_block 2, as every SD v1 UNet)
//   first_stage_model.*                     → vae           (mid-block attention 1×1 conv weights → linear)
//   cond_stage_model.transformer.*          → text_encoder  (transformers CLIPTextModel names, prefix stripped)
// Other keys (model_ema.*, betas, alphas_cumprod, …) are not model weights and are ignored, as diffusers does by
// default (non-EMA weights). A key under a model prefix that no rule maps is an error.
import Foundation

/// One converted tensor: where it comes from and how its shape changes.
public struct ConvertedKey: Sendable, Equatable {
    public var original: String
    /// A new shape with the same element count (1×1 conv → linear), or nil.
    public var reshape: [Int]?
}

public enum CompVisKeyConversion {
    /// The three components of an SD v1 checkpoint.
    public enum Component: String, CaseIterable, Sendable { case unet, vae, textEncoder = "text_encoder" }

    /// SD v1: resnets per down block; input_blocks.n holds down_blocks[(n−1)/(L+1)] layer (n−1)%(L+1).
    static let layersPerBlock = 2

    /// Original prefix of each component.
    public static let prefixes: [(String, Component)] = [
        ("model.diffusion_model.", .unet), ("first_stage_model.", .vae), ("cond_stage_model.transformer.", .textEncoder),
    ]

    private struct Rule {
        let pattern: NSRegularExpression
        /// captures → diffusers key (nil: the rule does not apply after all)
        let rewrite: (_ g: [String], _ context: Context) -> String?
        /// whether 4-D [C, C, 1, 1] weights become [C, C]
        var convToLinear = false

        init(_ pattern: String, convToLinear: Bool = false, _ rewrite: @escaping ([String], Context) -> String?) {
            self.pattern = try! NSRegularExpression(pattern: "^" + pattern + "$")
            self.rewrite = rewrite
            self.convToLinear = convToLinear
        }
    }

    struct Context {
        /// Number of VAE decoder up blocks (their order is reversed in diffusers).
        var vaeUpBlocks: Int
    }

    /// UNet resnet sub-module names: LDM ResBlock → diffusers ResnetBlock2D.
    private static func unetResnet(_ rest: String) -> String {
        let table = [("in_layers.0.", "norm1."), ("in_layers.2.", "conv1."), ("out_layers.0.", "norm2."),
                     ("out_layers.3.", "conv2."), ("emb_layers.1.", "time_emb_proj."), ("skip_connection.", "conv_shortcut.")]
        for (a, b) in table where rest.hasPrefix(a) { return b + rest.dropFirst(a.count) }
        return rest
    }

    /// A block number of a key, less `base` (LDM counts input blocks from 1): nil when it has more than 4 digits or
    /// falls below `base`, so the rule does not apply and the key is reported as unmapped, never a trap.
    private static func index(_ digits: String, from base: Int = 0) -> Int? {
        guard digits.count <= 4, let n = Int(digits), n >= base else { return nil }
        return n - base
    }

    /// VAE resnet sub-module names (only the shortcut differs).
    private static func vaeResnet(_ rest: String) -> String {
        rest.hasPrefix("nin_shortcut.") ? "conv_shortcut." + rest.dropFirst("nin_shortcut.".count) : rest
    }

    private static let unetRules: [Rule] = {
        let l = layersPerBlock + 1
        return [
            Rule(#"time_embed\.0\.(weight|bias)"#) { g, _ in "time_embedding.linear_1.\(g[1])" },
            Rule(#"time_embed\.2\.(weight|bias)"#) { g, _ in "time_embedding.linear_2.\(g[1])" },
            Rule(#"input_blocks\.0\.0\.(weight|bias)"#) { g, _ in "conv_in.\(g[1])" },
            Rule(#"out\.0\.(weight|bias)"#) { g, _ in "conv_norm_out.\(g[1])" },
            Rule(#"out\.2\.(weight|bias)"#) { g, _ in "conv_out.\(g[1])" },
            Rule(#"input_blocks\.(\d+)\.0\.op\.(weight|bias)"#) { g, _ in
                guard let n = index(g[1], from: 1) else { return nil }
                return "down_blocks.\(n / l).downsamplers.0.conv.\(g[2])" },
            Rule(#"input_blocks\.(\d+)\.0\.(.+)"#) { g, _ in
                guard let n = index(g[1], from: 1) else { return nil }
                return "down_blocks.\(n / l).resnets.\(n % l).\(unetResnet(g[2]))" },
            Rule(#"input_blocks\.(\d+)\.1\.(.+)"#) { g, _ in
                guard let n = index(g[1], from: 1) else { return nil }
                return "down_blocks.\(n / l).attentions.\(n % l).\(g[2])" },
            Rule(#"middle_block\.([02])\.(.+)"#) { g, _ in
                index(g[1]).map { "mid_block.resnets.\($0 / 2).\(unetResnet(g[2]))" } },
            Rule(#"middle_block\.1\.(.+)"#) { g, _ in "mid_block.attentions.0.\(g[1])" },
            Rule(#"output_blocks\.(\d+)\.[12]\.conv\.(weight|bias)"#) { g, _ in
                index(g[1]).map { "up_blocks.\($0 / l).upsamplers.0.conv.\(g[2])" } },
            Rule(#"output_blocks\.(\d+)\.0\.(.+)"#) { g, _ in
                guard let n = index(g[1]) else { return nil }
                return "up_blocks.\(n / l).resnets.\(n % l).\(unetResnet(g[2]))" },
            Rule(#"output_blocks\.(\d+)\.1\.(.+)"#) { g, _ in
                guard let n = index(g[1]) else { return nil }
                return "up_blocks.\(n / l).attentions.\(n % l).\(g[2])" },
        ]
    }()

    private static let vaeRules: [Rule] = [
        Rule(#"(encoder|decoder)\.(conv_in|conv_out)\.(weight|bias)"#) { g, _ in "\(g[1]).\(g[2]).\(g[3])" },
        Rule(#"(encoder|decoder)\.norm_out\.(weight|bias)"#) { g, _ in "\(g[1]).conv_norm_out.\(g[2])" },
        Rule(#"(quant_conv|post_quant_conv)\.(weight|bias)"#) { g, _ in "\(g[1]).\(g[2])" },
        Rule(#"encoder\.down\.(\d+)\.block\.(\d+)\.(.+)"#) { g, _ in
            "encoder.down_blocks.\(g[1]).resnets.\(g[2]).\(vaeResnet(g[3]))" },
        Rule(#"encoder\.down\.(\d+)\.downsample\.conv\.(weight|bias)"#) { g, _ in
            "encoder.down_blocks.\(g[1]).downsamplers.0.conv.\(g[2])" },
        Rule(#"decoder\.up\.(\d+)\.block\.(\d+)\.(.+)"#) { g, c in
            guard let n = index(g[1]), n < c.vaeUpBlocks else { return nil }
            return "decoder.up_blocks.\(c.vaeUpBlocks - 1 - n).resnets.\(g[2]).\(vaeResnet(g[3]))" },
        Rule(#"decoder\.up\.(\d+)\.upsample\.conv\.(weight|bias)"#) { g, c in
            guard let n = index(g[1]), n < c.vaeUpBlocks else { return nil }
            return "decoder.up_blocks.\(c.vaeUpBlocks - 1 - n).upsamplers.0.conv.\(g[2])" },
        Rule(#"(encoder|decoder)\.mid\.block_([12])\.(.+)"#) { g, _ in
            index(g[2], from: 1).map { "\(g[1]).mid_block.resnets.\($0).\(vaeResnet(g[3]))" } },
        Rule(#"(encoder|decoder)\.mid\.attn_1\.(norm|q|k|v|proj_out)\.(weight|bias)"#, convToLinear: true) { g, _ in
            guard let name = ["norm": "group_norm", "q": "to_q", "k": "to_k", "v": "to_v", "proj_out": "to_out.0"][g[2]]
            else { return nil }
            return "\(g[1]).mid_block.attentions.0.\(name).\(g[3])" },
    ]

    private static let textRules: [Rule] = [
        // As diffusers: strip the prefix, keep the rest — "text_model.…" (transformers 4 checkpoints such as
        // SD v1.4) or bare "embeddings.…/encoder.…" (transformers 5); CLIPTextModel accepts both.
        Rule(#"(.+)"#) { g, _ in g[1] },
    ]

    /// Maps every model key of an original checkpoint to its component and diffusers name.
    /// - Parameters:
    ///   - keys: the checkpoint's keys; `shape` gives each stored shape (for 1×1 conv → linear).
    /// - Returns: per component, diffusers key → ConvertedKey; throws on a model key no rule maps or on two keys
    ///   mapping to one name.
    public static func convert(keys: [String], shape: (String) -> [Int]?) throws -> [Component: [String: ConvertedKey]] {
        var upBlocks = 0
        let upPattern = try! NSRegularExpression(pattern: #"^first_stage_model\.decoder\.up\.(\d+)\."#)
        for key in keys {
            if let m = upPattern.firstMatch(in: key, range: NSRange(key.startIndex..., in: key)),
               let r = Range(m.range(at: 1), in: key), let n = index(String(key[r])) { upBlocks = max(upBlocks, n + 1) }
        }
        let context = Context(vaeUpBlocks: upBlocks == 0 ? 4 : upBlocks)
        var out: [Component: [String: ConvertedKey]] = [.unet: [:], .vae: [:], .textEncoder: [:]]
        var unmapped: [String] = []
        for key in keys {
            guard let (prefix, component) = prefixes.first(where: { key.hasPrefix($0.0) }) else { continue }
            let rest = String(key.dropFirst(prefix.count))
            if component == .textEncoder && rest.hasSuffix("position_ids") { continue }  // a buffer, not a weight
            let rules = component == .unet ? unetRules : component == .vae ? vaeRules : textRules
            var mapped: ConvertedKey?
            var name: String?
            for rule in rules {
                guard let m = rule.pattern.firstMatch(in: rest, range: NSRange(rest.startIndex..., in: rest)) else { continue }
                let groups = (0..<m.numberOfRanges).map { i -> String in
                    Range(m.range(at: i), in: rest).map { String(rest[$0]) } ?? ""
                }
                guard let new = rule.rewrite(groups, context) else { continue }
                var reshape: [Int]?
                if rule.convToLinear, let s = shape(key), s.count == 4, s[2] == 1, s[3] == 1 { reshape = [s[0], s[1]] }
                mapped = ConvertedKey(original: key, reshape: reshape)
                name = new
                break
            }
            guard let m = mapped, let n = name else { unmapped.append(key); continue }
            if let previous = out[component, default: [:]][n] {
                throw WeightSourceError.corrupt(file: key, tensor: n, reason: "also mapped from '\(previous.original)'")
            }
            out[component, default: [:]][n] = m
        }
        if !unmapped.isEmpty { throw WeightSourceError.unexpectedKeys(unmapped) }
        return out
    }
}
