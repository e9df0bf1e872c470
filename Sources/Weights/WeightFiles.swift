// WeightFiles: opens any weight file by its name — .safetensors, *.safetensors.index.json, or a torch zip
// checkpoint (.ckpt, .pth, .pt, .bin) — as a WeightSource.
import Foundation

public enum WeightFiles {
    /// The WeightSource for one file, chosen by extension.
    public static func open(_ path: String) throws -> WeightSource {
        if path.hasSuffix(".index.json") { return try ShardedSafetensors(indexPath: path) }
        if path.hasSuffix(".safetensors") { return try SafetensorsFile(path: path) }
        if [".ckpt", ".pth", ".pt", ".bin"].contains(where: { path.hasSuffix($0) }) { return try TorchCheckpoint(path: path) }
        throw WeightSourceError.unreadable(file: path,
            reason: "unknown weight format (expected .safetensors, .safetensors.index.json, .ckpt, .pth, .pt or .bin)")
    }
}
