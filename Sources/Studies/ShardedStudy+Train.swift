// The training side of the sharded study: train-map K/N (statistics of a block of training images, checkpointed
// after every image) and solve (every shard's statistics summed in shard order, then fitted).
import FileFormats
import Foundation
import Pipeline
import Study

extension ShardedStudy {
    /// Runs (or continues) training shard K/N. `stopAfter`: stop after that many new images (a test hook).
    public func trainMap(_ shard: ShardSpec, stopAfter: Int? = nil) throws {
        guard let files = try mapFiles("train", shard) else { return }
        let order = trainOrder
        let range = shard.range(of: order.count)
        let images = Array(order[range])
        let study = try makeStudy()
        var covered: [String] = []
        var carry: [[Float]]?  // the label the next image's shuffled control trains on
        var classified: [StepClassificationReport.ImageResult] = []  // before this process
        let classifier = try base.stepClassifier()
        if let c = try resumePoint(files, "train", shard, of: images) {
            (covered, classified) = (c.covered, c.classified)
            try study.importTrainingState({ c.file[$0] }, ids: covered, what: files.partial.path)
            let carried = inputs.properties.compactMap { c.file["carry/" + $0.name]?.map(Float.init) }
            if carried.count == inputs.properties.count { carry = carried }
        }
        func checkpoint(_ complete: Bool) throws {
            var carried: [String: [Double]] = [:]
            for (k, p) in inputs.properties.enumerated() { if let c = carry?[k] { carried["carry/" + p.name] = c.map(Double.init) } }
            // The statistics are exported probe by probe while writing: never a second copy of all of them.
            try StudyShardFile.write(names: study.trainingStateNames + carried.keys.sorted(),
                                     metadata: metadata(stage: "train", shard: shard.description, images: covered,
                                                        complete: complete,
                                                        classification: classifier.map { classified + $0.results }),
                                     to: complete ? files.done : files.partial) { try carried[$0] ?? study.trainingState($0) }
        }
        if options.shuffledControl, carry == nil, !images.isEmpty {
            let partner = order[(range.lowerBound + order.count - 1) % order.count]
            log("train shard \(shard): image \(partner) first, for its label only (the shuffled control of \(images[0]) "
                + "trains on it)")
            try generate([partner], runFolder: files.run) { _, _, labels in carry = labels }
            try checkpoint(false)
        }
        try runMap(files, "train", shard, todo: Array(images.dropFirst(covered.count)), of: images.count,
                   classifier: classifier, stopAfter: stopAfter, add: { id, activations, labels in
            try study.addShardTraining(imageID: id, activations: activations, labels: labels, controlLabels: carry ?? labels)
            carry = labels
            covered.append(id)
        }, checkpoint: checkpoint)
    }

    /// Sums every training shard's statistics (in shard order), fits, and writes STUDY/solve.safetensors.
    public func solve() throws {
        let study = try makeStudy()
        let shards = try completeShards(stage: "train")
        for (url, f) in shards {
            try study.importTrainingState({ f[$0] }, ids: try f.list("images", in: url), what: url.path)
        }
        try study.fitCovered()
        var tensors = study.fittedWeights.mapValues { $0.map(Double.init) }
        for k in study.trainingStateNames where k.hasPrefix("layout") { tensors[k] = try study.trainingState(k) }
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
