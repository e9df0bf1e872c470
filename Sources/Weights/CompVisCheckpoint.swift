// CompVisCheckpoint: a single-file SD v1 checkpoint in the original CompVis naming (.safetensors or .ckpt) split
// into diffusers-named unet / vae / text_encoder WeightSources (names from CompVisKeyConversion). Single files
// carry no configs: callers use the SD v1 configurations (UNet, VAE, CLIPTextConfig defaults).
import Foundation
import Tensor

public final class CompVisCheckpoint {
    public let path: String
    public let source: WeightSource
    public let unet: WeightSource
    public let vae: WeightSource
    public let textEncoder: WeightSource
    /// Keys that belong to no component (EMA copies, schedule buffers, …), ignored as diffusers ignores them.
    public let ignoredKeys: [String]

    public init(path: String) throws {
        self.path = path
        let source = try WeightFiles.open(path)
        self.source = source
        let map = try CompVisKeyConversion.convert(keys: source.keys, shape: source.shape)
        for component in CompVisKeyConversion.Component.allCases where map[component]!.isEmpty {
            throw WeightSourceError.badConfig(file: path,
                reason: "no \(component.rawValue) weights (expected keys under \(CompVisKeyConversion.prefixes.first { $0.1 == component }!.0)): not an SD v1 single-file checkpoint")
        }
        unet = ConvertedWeightSource(source: source, map: map[.unet]!)
        vae = ConvertedWeightSource(source: source, map: map[.vae]!)
        textEncoder = ConvertedWeightSource(source: source, map: map[.textEncoder]!)
        let used = Set(map.values.flatMap { $0.values.map(\.original) })
        ignoredKeys = source.keys.filter { !used.contains($0) }
    }
}

/// A view of another WeightSource under converted names.
public struct ConvertedWeightSource: WeightSource {
    public let source: WeightSource
    public let map: [String: ConvertedKey]

    public init(source: WeightSource, map: [String: ConvertedKey]) {
        self.source = source
        self.map = map
    }

    public var keys: [String] { map.keys.sorted() }

    public func shape(_ key: String) -> [Int]? {
        guard let c = map[key] else { return nil }
        return c.reshape ?? source.shape(c.original)
    }

    public func tensor(_ key: String) throws -> Tensor {
        guard let c = map[key] else { throw WeightSourceError.missingKey(key) }
        let t = try source.tensor(c.original)
        return c.reshape.map { t.reshaped($0) } ?? t
    }

    public func parameter(_ key: String, residency: WeightResidency) throws -> Parameter {
        guard let c = map[key] else { throw WeightSourceError.missingKey(key) }
        let p = try source.parameter(c.original, residency: residency)
        return c.reshape.map { p.reshaped($0) } ?? p
    }
}
