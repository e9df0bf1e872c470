// ClassifierSupport — where a VGG plugin's weights come from: a .safetensors file, a torchvision .pth (zip
// pickle, read by Weights' restricted unpickler), or `random:SEED[/DIVISOR]` for benchmarks.
import Foundation
import Tensor
import Weights

public enum VGGWeightsSpec: Equatable {
    case file(String)
    /// Seeded random weights; widths divided by `divisor` (1 = full size).
    case random(seed: UInt64, divisor: Int)

    /// Parses the `weights` parameter. The host resolves PATH parameters to absolute paths, so `random:…` is
    /// recognised by the last path component.
    public static func parse(_ text: String, plugin: String) throws -> VGGWeightsSpec {
        guard !text.isEmpty else {
            throw ClassifierError.weightsMissing(plugin: plugin, path: "", message: "no weights given")
        }
        // "random:0/16" may arrive resolved as "/cwd/random:0/16": take what follows the last "random:" that
        // starts the text or a path component.
        var start: String.Index?
        var search = text.startIndex..<text.endIndex
        while let r = text.range(of: "random:", range: search) {
            if r.lowerBound == text.startIndex || text[text.index(before: r.lowerBound)] == "/" { start = r.lowerBound }
            search = r.upperBound..<text.endIndex
        }
        if let start {
            let last = String(text[start...])
            let spec = last.dropFirst("random:".count)
            let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
            guard let seed = parts.first.flatMap({ UInt64($0) }),
                  parts.count <= 2, let divisor = parts.count == 2 ? Int(parts[1]) : 1, divisor >= 1 else {
                throw ClassifierError.invalidParameter(
                    plugin: plugin, name: "weights",
                    message: "'\(last)' is not random:SEED or random:SEED/DIVISOR (e.g. random:0, random:0/16)")
            }
            return .random(seed: seed, divisor: divisor)
        }
        return .file(text)
    }

    /// Builds the network this spec names.
    public func network(config: VGGConfig) throws -> VGGNetwork {
        switch self {
        case let .random(seed, divisor):
            return VGGNetwork.random(config: config, seed: seed, divisor: divisor)
        case let .file(path):
            let source = try VGGWeightsSpec.open(path, plugin: config.name)
            return try VGGNetwork.load(config: config, from: source, path: path)
        }
    }

    /// Opens a weights file by its extension: .safetensors, or a torch pickle (.pth/.pt/.bin/.ckpt).
    public static func open(_ path: String, plugin: String) throws -> WeightSource {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw ClassifierError.weightsMissing(plugin: plugin, path: path, message: "no such file")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        do {
            switch ext {
            case "safetensors":
                return try SafetensorsFile(path: path)
            case "pth", "pt", "bin", "ckpt":
                return try TorchCheckpoint(path: path)   // restricted unpickler: tensor-rebuild globals only
            default:
                throw ClassifierError.badWeights(
                    plugin: plugin, path: path,
                    message: "unknown extension '.\(ext)' (hint: .safetensors, or a torch .pth/.pt state dict)")
            }
        } catch let e as ClassifierError {
            throw e
        } catch {
            throw ClassifierError.badWeights(plugin: plugin, path: path, message: "\(error)")
        }
    }
}
