// ShardedSafetensors: a `*.safetensors.index.json` ({"weight_map": {tensor: shard file}}) and its shards as one
// WeightSource. Every shard is opened (and validated) up front; the index must name only tensors its shard holds.
import Foundation
import Tensor

public final class ShardedSafetensors: WeightSource, @unchecked Sendable {
    public let indexPath: String
    private let owner: [String: SafetensorsFile]

    public init(indexPath: String) throws {
        self.indexPath = indexPath
        let url = URL(fileURLWithPath: indexPath)
        guard let data = try? Data(contentsOf: url) else {
            throw WeightSourceError.unreadable(file: indexPath, reason: "cannot read the index")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = json["weight_map"] as? [String: String] else {
            throw WeightSourceError.badConfig(file: indexPath, reason: "no \"weight_map\" of tensor → shard file")
        }
        var shards: [String: SafetensorsFile] = [:]
        var owner: [String: SafetensorsFile] = [:]
        let folder = url.deletingLastPathComponent()
        for (tensor, shardName) in map {
            guard !shardName.contains("/") else {
                throw WeightSourceError.badConfig(file: indexPath, reason: "shard '\(shardName)' is not a file name in the index's folder")
            }
            let shard: SafetensorsFile
            if let s = shards[shardName] { shard = s } else {
                shard = try SafetensorsFile(path: folder.appendingPathComponent(shardName).path)
                shards[shardName] = shard
            }
            guard shard.entries[tensor] != nil else {
                throw WeightSourceError.corrupt(file: shard.path, tensor: tensor, reason: "listed in the index but absent from the shard")
            }
            owner[tensor] = shard
        }
        self.owner = owner
    }

    public var keys: [String] { owner.keys.sorted() }
    public func shape(_ key: String) -> [Int]? { owner[key]?.shape(key) }
    public func tensor(_ key: String) throws -> Tensor {
        guard let shard = owner[key] else { throw WeightSourceError.missingKey(key) }
        return try shard.tensor(key)
    }
    public func parameter(_ key: String, residency: WeightResidency) throws -> Parameter {
        guard let shard = owner[key] else { throw WeightSourceError.missingKey(key) }
        return try shard.parameter(key, residency: residency)
    }
}
