// The training side of the sharded study: train-map K/N (statistics of a block of training images, checkpointed
// after every image) and solve (every shard's statistics summed in shard order, then fitted).
import FileFormats
import Foundation
import Pipeline
import Study

extension ShardedStudy {
    /// Runs (or continues) training shard K/N. `stopAfter`: stop after that many new images (a test hook).
    public func trainMap(_ shard: ShardSpec, stopAfter: Int? = nil) throws {
        let dir = folder.appendingPathComponent("train")
        try AtomicFile.createFolder(dir)
        let names = Self.names(shard)
        let done = dir.appendingPathComponent(names.done), partial = dir.appendingPathComponent(names.partial)
        if FileManager.default.fileExists(atPath: done.path) {
            try check(try StudyShardFile(contentsOf: done), done)
            log("train shard \(shard): complete already (\(done.path)); nothing to do")
            return
        }
        let order = trainOrder
        let range = shard.range(of: order.count)
        let images = Array(order[range])
        let study = try makeStudy()
        var covered: [String] = []
        var carry: [[Float]]?  // the label the next image's shuffled control trains on
        if FileManager.default.fileExists(atPath: partial.path) {
            let f = try StudyShardFile(contentsOf: partial)
            try check(f, partial)
            covered = try f.list("images", in: partial)
            guard covered == Array(images.prefix(covered.count)) else {
                throw StudiesError.folder(path: partial.path, reason: "covers images \(covered.prefix(4)) that are not this shard's first (hint: remove it)")
            }
            try study.importTrainingState(f.tensors, ids: covered, what: partial.path)
            let carried = inputs.properties.compactMap { f.tensors["carry/" + $0.name]?.map(Float.init) }
            if carried.count == inputs.properties.count { carry = carried }
            log("train shard \(shard): continuing after \(covered.count) of \(images.count) images")
        }
        func checkpoint(complete: Bool) throws {
            var tensors = try study.exportTrainingState()
            for (k, p) in inputs.properties.enumerated() { if let c = carry?[k] { tensors["carry/" + p.name] = c.map(Double.init) } }
            try StudyShardFile(tensors: tensors, metadata: metadata(stage: "train", shard: shard.description, images: covered,
                                                                    complete: complete))
                .write(to: complete ? done : partial)
        }
        if options.shuffledControl, carry == nil, !images.isEmpty {
            let partner = order[(range.lowerBound + order.count - 1) % order.count]
            log("train shard \(shard): image \(partner) first, for its label only (the shuffled control of \(images[0]) "
                + "trains on it)")
            try generate([partner], runFolder: dir.appendingPathComponent(names.run)) { _, _, labels in carry = labels }
            try checkpoint(complete: false)
        }
        let todo = Array(images.dropFirst(covered.count))
        log("train shard \(shard): \(todo.count) of \(images.count) training images to go → \(done.lastPathComponent)")
        var added = 0
        try generate(todo, runFolder: dir.appendingPathComponent(names.run)) { id, activations, labels in
            try study.addShardTraining(imageID: id, activations: activations, labels: labels, controlLabels: carry ?? labels)
            carry = labels
            covered.append(id)
            added += 1
            try checkpoint(complete: false)
            try Self.stop(after: added, stopAfter, partial)
        }
        try checkpoint(complete: true)
        try? FileManager.default.removeItem(at: partial)
        try? FileManager.default.removeItem(at: dir.appendingPathComponent(names.run))
        log("train shard \(shard): done, \(images.count) images → \(done.path)")
    }

    /// Sums every training shard's statistics (in shard order), fits, and writes STUDY/solve.safetensors.
    public func solve() throws {
        let study = try makeStudy()
        let shards = try completeShards(stage: "train")
        for (url, f) in shards {
            try study.importTrainingState(f.tensors, ids: try f.list("images", in: url), what: url.path)
        }
        try study.fitCovered()
        var tensors = study.fittedWeights.mapValues { $0.map(Double.init) }
        for (k, v) in try study.exportTrainingState() where k.hasPrefix("layout") { tensors[k] = v }
        let url = folder.appendingPathComponent("solve.safetensors")
        try StudyShardFile(tensors: tensors, metadata: metadata(stage: "solve", shard: "\(shards.count)", images: [],
                                                                complete: true)).write(to: url)
        log("solve: \(shards.count) training shard(s), \(study.probeCount) probes → \(url.path)")
    }

    /// Every shard file of `stage` (train or test), checked: one shard count N, none missing, incomplete or
    /// made differently. Sorted by K.
    func completeShards(stage: String) throws -> [(URL, StudyShardFile)] {
        let dir = folder.appendingPathComponent(stage)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        var found: [Int: [Int: String]] = [:]  // N → K → name
        var partial: Set<String> = []
        for name in files {
            let p = name.split(separator: "-")  // shard-K-of-N.safetensors / .partial.safetensors
            guard p.count == 4, p[0] == "shard", p[2] == "of", let k = Int(p[1]),
                  let n = Int(p[3].split(separator: ".")[0]), n >= 1, k >= 1, k <= n else { continue }
            if name.hasSuffix(".partial.safetensors") { partial.insert("\(k)/\(n)"); found[n, default: [:]][k] = found[n]?[k] }
            else if name.hasSuffix(".safetensors") { found[n, default: [:]][k] = name }
        }
        guard let n = found.keys.first else {
            throw StudiesError.folder(path: dir.path, reason: "no \(stage) shard files (hint: run `ldmprobe study \(stage)-map --shard K/N` first)")
        }
        guard found.count == 1 else {
            throw StudiesError.folder(path: dir.path, reason: "shards of different counts N (\(found.keys.sorted().map(String.init).joined(separator: ", "))); hint: remove the files of the other run")
        }
        let missing = (1...n).filter { found[n]?[$0] == nil }.map {
            "\($0)/\(n)" + (partial.contains("\($0)/\(n)") ? " (only a checkpoint: interrupted)" : "")
        }
        guard missing.isEmpty else {
            throw StudiesError.folder(path: dir.path, reason: "\(stage) shard(s) \(missing.joined(separator: ", ")) missing (hint: re-run `ldmprobe study \(stage)-map --shard K/\(n)` with the same flags)")
        }
        return try (1...n).map { k in
            let url = dir.appendingPathComponent(found[n]![k]!)
            let f = try StudyShardFile(contentsOf: url)
            try check(f, url)
            guard f.isComplete, f.metadata["shard"] == "\(k)/\(n)" else {
                throw StudiesError.folder(path: url.path, reason: "not a complete shard \(k)/\(n) (metadata shard \(f.metadata["shard"] ?? "none"))")
            }
            return (url, f)
        }
    }
}
