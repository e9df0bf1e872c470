// vae/config.json of a diffusers AutoencoderKL (the SD v1.x subset this port runs).
import Foundation

/// AutoencoderKL's configuration; field names map to config.json keys, defaults are SD v1.4's.
public struct VAEConfig: Codable, Equatable {
    public var inChannels = 3
    public var outChannels = 3
    /// Channels per level, encoder order (SD: 128, 256, 512, 512); the decoder runs them reversed.
    public var blockOutChannels = [128, 256, 512, 512]
    /// Resnets per encoder level (decoder levels have one more).
    public var layersPerBlock = 2
    public var latentChannels = 4
    public var normNumGroups = 32
    /// Image size the model was trained at.
    public var sampleSize = 512
    /// Latents are multiplied by this after encoding and divided by it before decoding (SD v1: 0.18215).
    public var scalingFactor: Float = 0.18215
    public var downBlockTypes = ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"]
    public var upBlockTypes = ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]
    public var useQuantConv = true
    public var usePostQuantConv = true
    public var midBlockAddAttention = true

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", blockOutChannels = "block_out_channels"
        case layersPerBlock = "layers_per_block", latentChannels = "latent_channels"
        case normNumGroups = "norm_num_groups", sampleSize = "sample_size", scalingFactor = "scaling_factor"
        case downBlockTypes = "down_block_types", upBlockTypes = "up_block_types"
        case useQuantConv = "use_quant_conv", usePostQuantConv = "use_post_quant_conv"
        case midBlockAddAttention = "mid_block_add_attention"
    }

    public init() {}

    /// Missing keys keep the defaults above; unknown keys are ignored.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func get<T: Decodable>(_ k: CodingKeys, _ d: T) throws -> T { try c.decodeIfPresent(T.self, forKey: k) ?? d }
        let d = VAEConfig()
        inChannels = try get(.inChannels, d.inChannels)
        outChannels = try get(.outChannels, d.outChannels)
        blockOutChannels = try get(.blockOutChannels, d.blockOutChannels)
        layersPerBlock = try get(.layersPerBlock, d.layersPerBlock)
        latentChannels = try get(.latentChannels, d.latentChannels)
        normNumGroups = try get(.normNumGroups, d.normNumGroups)
        sampleSize = try get(.sampleSize, d.sampleSize)
        scalingFactor = try get(.scalingFactor, d.scalingFactor)
        downBlockTypes = try get(.downBlockTypes, d.downBlockTypes)
        upBlockTypes = try get(.upBlockTypes, d.upBlockTypes)
        useQuantConv = try get(.useQuantConv, d.useQuantConv)
        usePostQuantConv = try get(.usePostQuantConv, d.usePostQuantConv)
        midBlockAddAttention = try get(.midBlockAddAttention, d.midBlockAddAttention)
    }

    /// Reads config.json.
    public static func load(_ url: URL) throws -> VAEConfig {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw UNetError.config(url.path, "cannot read: \(error.localizedDescription)") }
        let config: VAEConfig
        do { config = try JSONDecoder().decode(VAEConfig.self, from: data) } catch {
            throw UNetError.config(url.path, "not a VAE config: \(error)")
        }
        try config.validate(url.path)
        return config
    }

    /// SD v1.4's vae/config.json values (= the defaults).
    public static let sdV14 = VAEConfig()

    /// Throws on settings this port does not implement.
    public func validate(_ path: String = "vae/config.json") throws {
        let n = blockOutChannels.count
        guard n >= 1, downBlockTypes.count == n, upBlockTypes.count == n else {
            throw UNetError.unsupported(path, "block_out_channels and the block type lists differ in length")
        }
        for t in downBlockTypes where t != "DownEncoderBlock2D" { throw UNetError.unsupported(path, "down block type \(t)") }
        for t in upBlockTypes where t != "UpDecoderBlock2D" { throw UNetError.unsupported(path, "up block type \(t)") }
        // Every number the layers are built from: sizes positive and bounded, groups dividing the widths.
        try ConfigError.check(inChannels, 1...64, key: "in_channels", file: path)
        try ConfigError.check(outChannels, 1...64, key: "out_channels", file: path)
        try ConfigError.check(layersPerBlock, 1...64, key: "layers_per_block", file: path)
        try ConfigError.check(latentChannels, 1...1024, key: "latent_channels", file: path)
        try ConfigError.check(normNumGroups, 1...65_536, key: "norm_num_groups", file: path)
        try ConfigError.check(sampleSize, 1...65_536, key: "sample_size", file: path)
        try ConfigError.check(scalingFactor, 1e-6...1e6, key: "scaling_factor", file: path)
        for c in blockOutChannels {
            try ConfigError.check(c, 1...65_536, key: "block_out_channels", file: path)
            try ConfigError.checkDivides(c, by: normNumGroups, key: "norm_num_groups", of: "block_out_channels", file: path)
        }
    }
}
