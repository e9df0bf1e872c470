// `ldmprobe merge OUT SHARD_DIR...`: joins the run folders of `--shard K/N` jobs into one. The shards must have
// been made with equal settings (same weights hash, sampler, steps, capture set, …). Files are hard-linked when
// OUT is on the same file system (else copied), each atomically; the merged manifest is written last.
import FileFormats
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Merges shard run folders.
public enum RunMerger {
    public struct Report: Sendable {
        public var manifest: RunManifest
        public var filesLinked: Int
        public var filesCopied: Int
        /// Images not done in their shard (carried over as pending).
        public var pending: Int
        /// Lines worth showing (missing shards, …).
        public var notes: [String]
    }

    public static func merge(into out: RunFolder, from shards: [RunFolder]) throws -> Report {
        guard !shards.isEmpty else {
            throw PipelineError.invalidOption(option: "merge", reason: "no shard folders given")
        }
        if out.exists {
            throw PipelineError.runFolder(path: out.url.path, reason: "already holds a run; merge into a new folder")
        }
        let manifests = try shards.map { s -> RunManifest in
            guard s.exists else { throw PipelineError.runFolder(path: s.url.path, reason: "no manifest.json (not a run folder)") }
            return try s.readManifest()
        }
        let first = manifests[0]
        for (k, m) in manifests.enumerated().dropFirst() {
            var mine = m.settings
            if mine.model.weightsHash == first.settings.model.weightsHash { mine.model.path = first.settings.model.path }
            let diffs = RunManifest.differences(first.settings, mine)
            guard diffs.isEmpty else {
                throw PipelineError.runFolder(path: shards[k].url.path,
                    reason: "settings differ from \(shards[0].url.path) (\(diffs.joined(separator: ", "))); only shards of one run can be merged")
            }
        }
        // Images: first done copy of each id wins; a second done copy is an error (overlapping shards).
        var records: [ImageRecord] = []
        var source: [String: Int] = [:]
        for (k, m) in manifests.enumerated() {
            for r in m.images {
                if let j = source[r.id] {
                    let existing = records.firstIndex { $0.id == r.id }!
                    if records[existing].status == .done && r.status == .done {
                        throw PipelineError.runFolder(path: shards[k].url.path,
                            reason: "image \(r.id) is done in both this folder and \(shards[j].url.path) (overlapping shards?)")
                    }
                    if r.status == .done { records[existing] = r; source[r.id] = k }
                } else {
                    records.append(r)
                    source[r.id] = k
                }
            }
        }
        var notes: [String] = []
        let shardNames = manifests.flatMap(\.shards)
        if let total = shardNames.compactMap({ try? ShardSpec(parsing: $0) }).first?.count {
            let have = Set(shardNames)
            let missing = (1 ... total).map { "\($0)/\(total)" }.filter { !have.contains($0) }
            if !missing.isEmpty { notes.append("shards missing from the merge: \(missing.joined(separator: ", "))") }
        }
        if Set(shardNames).count < shardNames.count { notes.append("a shard appears more than once") }

        try AtomicFile.createFolder(out.url)
        var linked = 0, copied = 0
        for r in records where r.status == .done {
            let from = shards[source[r.id]!]
            guard FileManager.default.fileExists(atPath: from.imageURL(r.id).path) else {
                throw PipelineError.runFolder(path: from.url.path, reason: "image \(r.id) is marked done but images/\(r.id).png is missing")
            }
            for file in from.files(of: r.id) {
                let rel = String(file.path.dropFirst(from.url.path.count + 1))
                let dest = try SafePath.join(out.url, rel, what: "merged file of image \(r.id)")
                try AtomicFile.createFolder(dest.deletingLastPathComponent())
                if link(file.path, dest.path) == 0 {
                    linked += 1
                } else {
                    try AtomicFile.write(to: dest) { tmp in
                        do { try FileManager.default.copyItem(at: file, to: tmp) } catch {
                            throw PipelineError.runFolder(path: file.path, reason: "cannot copy: \(error.localizedDescription)")
                        }
                    }
                    copied += 1
                }
            }
        }
        var manifest = first
        manifest.created = RunManifest.now()
        manifest.shards = shardNames.sorted { a, b in
            let (x, y) = ((try? ShardSpec(parsing: a))?.index ?? 0, (try? ShardSpec(parsing: b))?.index ?? 0)
            return x < y
        }
        manifest.images = records
        try manifest.write(to: out.manifestURL)
        return Report(manifest: manifest, filesLinked: linked, filesCopied: copied,
                      pending: records.filter { $0.status != .done }.count, notes: notes)
    }
}
