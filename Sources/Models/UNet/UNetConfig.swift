// unet/config.json of a diffusers UNet2DConditionModel (the SD v1.x subset this port runs).
import Foundation

/// An Int or a per-block list of Ints (diffusers accepts both for attention_head_dim and friends).
public enum IntOrList: Codable, Equatable {
    case one(Int)
    case list([Int])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Int.self) { self = .one(v) } else { self = .list(try c.decode([Int].self)) }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self { case .one(let v): try c.encode(v); case .list(let v): try c.encode(v) }
    }
    /// The value for block `i` of `n`.
    public func value(_ i: Int) -> Int {
        switch self { case .one(let v): return v; case .list(let v): return v[min(i, v.count - 1)] }
    }
}

/// UNet2DConditionModel's configuration; field names map to config.json keys, defaults are diffusers' own.
public struct UNetConfig: Codable, Equatable {
    /// Latent channels in and out.
    public var inChannels = 4
    public var outChannels = 4
    /// Channels per resolution level (SD v1: 320, 640, 1280, 1280).
    public var blockOutChannels = [320, 640, 1280, 1280]
    /// ResnetBlock2Ds per down block (up blocks have one more).
    public var layersPerBlock = 2
    /// SD v1 quirk: this is the number of heads (diffusers passes it as num_attention_heads when that is null).
    public var attentionHeadDim: IntOrList = .one(8)
    /// Heads per level when given explicitly (takes precedence over attention_head_dim).
    public var numAttentionHeads: IntOrList? = nil
    /// Width of the text encoder's hidden states (SD v1: 768).
    public var crossAttentionDim = 768
    public var normNumGroups = 32
    public var normEps: Float = 1e-5
    /// Latent size the model was trained at (64 for 512×512 images).
    public var sampleSize = 64
    public var flipSinToCos = true
    public var freqShift = 0
    public var downBlockTypes = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]
    public var upBlockTypes = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]
    public var midBlockType: String? = "UNetMidBlock2DCrossAttn"
    /// SD 2.x: proj_in/proj_out are Linear instead of 1×1 Conv2d.
    public var useLinearProjection = false
    public var transformerLayersPerBlock: IntOrList? = nil
    public var downsamplePadding = 1
    public var centerInputSample = false
    public var upcastAttention: Bool? = false
    public var resnetTimeScaleShift: String? = "default"
    public var timeEmbeddingType: String? = "positional"
    public var classEmbedType: String? = nil
    public var additionEmbedType: String? = nil

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", blockOutChannels = "block_out_channels"
        case layersPerBlock = "layers_per_block", attentionHeadDim = "attention_head_dim"
        case numAttentionHeads = "num_attention_heads", crossAttentionDim = "cross_attention_dim"
        case normNumGroups = "norm_num_groups", normEps = "norm_eps", sampleSize = "sample_size"
        case flipSinToCos = "flip_sin_to_cos", freqShift = "freq_shift", downBlockTypes = "down_block_types"
        case upBlockTypes = "up_block_types", midBlockType = "mid_block_type"
        case useLinearProjection = "use_linear_projection", transformerLayersPerBlock = "transformer_layers_per_block"
        case downsamplePadding = "downsample_padding", centerInputSample = "center_input_sample"
        case upcastAttention = "upcast_attention", resnetTimeScaleShift = "resnet_time_scale_shift"
        case timeEmbeddingType = "time_embedding_type", classEmbedType = "class_embed_type"
        case additionEmbedType = "addition_embed_type"
    }

    public init() {}

    /// Missing keys keep diffusers' defaults; unknown keys are ignored (as diffusers' from_config does).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func get<T: Decodable>(_ k: CodingKeys, _ d: T) throws -> T { try c.decodeIfPresent(T.self, forKey: k) ?? d }
        let d = UNetConfig()
        inChannels = try get(.inChannels, d.inChannels)
        outChannels = try get(.outChannels, d.outChannels)
        blockOutChannels = try get(.blockOutChannels, d.blockOutChannels)
        layersPerBlock = try get(.layersPerBlock, d.layersPerBlock)
        attentionHeadDim = try get(.attentionHeadDim, d.attentionHeadDim)
        numAttentionHeads = try c.decodeIfPresent(IntOrList.self, forKey: .numAttentionHeads)
        crossAttentionDim = try get(.crossAttentionDim, d.crossAttentionDim)
        normNumGroups = try get(.normNumGroups, d.normNumGroups)
        normEps = try get(.normEps, d.normEps)
        sampleSize = try get(.sampleSize, d.sampleSize)
        flipSinToCos = try get(.flipSinToCos, d.flipSinToCos)
        freqShift = try get(.freqShift, d.freqShift)
        downBlockTypes = try get(.downBlockTypes, d.downBlockTypes)
        upBlockTypes = try get(.upBlockTypes, d.upBlockTypes)
        midBlockType = try c.decodeIfPresent(String.self, forKey: .midBlockType) ?? d.midBlockType
        useLinearProjection = try get(.useLinearProjection, d.useLinearProjection)
        transformerLayersPerBlock = try c.decodeIfPresent(IntOrList.self, forKey: .transformerLayersPerBlock)
        downsamplePadding = try get(.downsamplePadding, d.downsamplePadding)
        centerInputSample = try get(.centerInputSample, d.centerInputSample)
        upcastAttention = try c.decodeIfPresent(Bool.self, forKey: .upcastAttention)
        resnetTimeScaleShift = try c.decodeIfPresent(String.self, forKey: .resnetTimeScaleShift)
        timeEmbeddingType = try c.decodeIfPresent(String.self, forKey: .timeEmbeddingType)
        classEmbedType = try c.decodeIfPresent(String.self, forKey: .classEmbedType)
        additionEmbedType = try c.decodeIfPresent(String.self, forKey: .additionEmbedType)
    }

    /// Reads config.json.
    public static func load(_ url: URL) throws -> UNetConfig {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw UNetError.config(url.path, "cannot read: \(error.localizedDescription)") }
        let config: UNetConfig
        do { config = try JSONDecoder().decode(UNetConfig.self, from: data) } catch {
            throw UNetError.config(url.path, "not a UNet config: \(error)")
        }
        try config.validate(url.path)
        return config
    }

    /// SD v1.4's unet/config.json values (= the defaults above).
    public static let sdV14 = UNetConfig()

    /// Heads in level i (SD v1: 8 everywhere).
    public func heads(_ i: Int) -> Int { (numAttentionHeads ?? attentionHeadDim).value(i) }

    /// Transformer blocks per Transformer2DModel in level i.
    public func transformerLayers(_ i: Int) -> Int { transformerLayersPerBlock?.value(i) ?? 1 }

    /// Throws on settings this port does not implement.
    public func validate(_ path: String = "unet/config.json") throws {
        func bad(_ m: String) -> UNetError { .unsupported(path, m) }
        let n = blockOutChannels.count
        guard n >= 1, downBlockTypes.count == n, upBlockTypes.count == n else {
            throw bad("block_out_channels, down_block_types and up_block_types must have the same length")
        }
        for t in downBlockTypes where t != "CrossAttnDownBlock2D" && t != "DownBlock2D" { throw bad("down block type \(t)") }
        for t in upBlockTypes where t != "CrossAttnUpBlock2D" && t != "UpBlock2D" { throw bad("up block type \(t)") }
        if let m = midBlockType, m != "UNetMidBlock2DCrossAttn" { throw bad("mid_block_type \(m)") }
        if upcastAttention == true { /* float32 everywhere already: upcasting changes nothing */ }
        if let s = resnetTimeScaleShift, s != "default" { throw bad("resnet_time_scale_shift \(s)") }
        if let t = timeEmbeddingType, t != "positional" { throw bad("time_embedding_type \(t)") }
        if classEmbedType != nil { throw bad("class_embed_type") }
        if additionEmbedType != nil { throw bad("addition_embed_type") }
        try validateRanges(path)
    }

    /// Every number the layers are built from: sizes positive and bounded, groups and heads dividing the widths.
    private func validateRanges(_ file: String) throws {
        try ConfigError.check(inChannels, 1...1024, key: "in_channels", file: file)
        try ConfigError.check(outChannels, 1...1024, key: "out_channels", file: file)
        try ConfigError.check(layersPerBlock, 1...64, key: "layers_per_block", file: file)
        try ConfigError.check(crossAttentionDim, 1...65_536, key: "cross_attention_dim", file: file)
        try ConfigError.check(normNumGroups, 1...65_536, key: "norm_num_groups", file: file)
        try ConfigError.check(normEps, Float.leastNormalMagnitude...1, key: "norm_eps", file: file)
        try ConfigError.check(sampleSize, 1...4096, key: "sample_size", file: file)
        try ConfigError.check(downsamplePadding, 0...1, key: "downsample_padding", file: file)
        for c in blockOutChannels {
            try ConfigError.check(c, 1...65_536, key: "block_out_channels", file: file)
            try ConfigError.checkDivides(c, by: normNumGroups, key: "norm_num_groups", of: "block_out_channels", file: file)
        }
        // The sinusoidal timestep embedding is block_out_channels[0] wide: an even width, and freq_shift below half.
        let c0 = blockOutChannels[0]
        guard c0 % 2 == 0 else {
            throw ConfigError(file: file, key: "block_out_channels", value: "\(c0)", valid: "an even first width")
        }
        try ConfigError.check(freqShift, 0...(c0 / 2 - 1), key: "freq_shift", file: file)
        for (key, list) in [("attention_head_dim", attentionHeadDim), ("num_attention_heads", numAttentionHeads),
                            ("transformer_layers_per_block", transformerLayersPerBlock)] {
            guard let list, case .list(let values) = list else { continue }
            guard !values.isEmpty else {
                throw ConfigError(file: file, key: key, value: "[]", valid: "a number or a non-empty list")
            }
        }
        let headsKey = numAttentionHeads == nil ? "attention_head_dim" : "num_attention_heads"
        for (i, c) in blockOutChannels.enumerated() {
            try ConfigError.check(heads(i), 1...1024, key: headsKey, file: file)
            try ConfigError.checkDivides(c, by: heads(i), key: headsKey, of: "block_out_channels", file: file)
            try ConfigError.check(transformerLayers(i), 1...64, key: "transformer_layers_per_block", file: file)
        }
    }
}
