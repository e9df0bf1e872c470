// The test side of the sharded study: test-map K/N (the fitted probes measured on a block of test images,
// checkpointed after every image) and report (every test shard merged, then the tables, weights, charts and
// report.html that `pipeline` writes into OUT/<sampler>/study).
import FileFormats
import Foundation
import Pipeline
import Study

extension ShardedStudy {
    /// A study whose probes carry solve's weights (STUDY/solve.safetensors, checked against this stage).
    func solvedStudy() throws -> StreamingProbeStudy {
        let url = folder.appendingPathComponent("solve.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StudiesError.folder(path: url.path, reason: "missing (hint: run `ldmprobe study solve --out \(folder.path)` after every train-map task)")
        }
        let f = try StudyShardFile(contentsOf: url)
        try check(f, url)
        let study = try makeStudy()
        var weights: [String: [Float]] = [:]
        for (k, v) in f.tensors where !k.hasPrefix("layout") { weights[k] = v.map(Float.init) }
        try study.importFitted(weights: weights, layout: f.tensors, what: url.path)
        return study
    }

    /// Runs (or continues) test shard K/N. `stopAfter`: stop after that many new images (a test hook).
    public func testMap(_ shard: ShardSpec, stopAfter: Int? = nil) throws {
        let dir = folder.appendingPathComponent("test")
        try AtomicFile.createFolder(dir)
        let names = Self.names(shard)
        let done = dir.appendingPathComponent(names.done), partial = dir.appendingPathComponent(names.partial)
        if FileManager.default.fileExists(atPath: done.path) {
            try check(try StudyShardFile(contentsOf: done), done)
            log("test shard \(shard): complete already (\(done.path)); nothing to do")
            return
        }
        let study = try solvedStudy()
        let tests = options.split.test
        let images = Array(tests[shard.range(of: tests.count)])
        var covered: [String] = []
        if FileManager.default.fileExists(atPath: partial.path) {
            let f = try StudyShardFile(contentsOf: partial)
            try check(f, partial)
            covered = try f.list("images", in: partial)
            try study.importTestState(f.tensors, predictions: try Self.predictions(f, partial), ids: covered, what: partial.path)
            log("test shard \(shard): continuing after \(covered.count) of \(images.count) images")
        }
        func checkpoint(complete: Bool) throws {
            let (values, predictions) = study.exportTestState()
            var m = metadata(stage: "test", shard: shard.description, images: covered, complete: complete)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            m["predictions"] = String(decoding: try encoder.encode(predictions), as: UTF8.self)
            try StudyShardFile(tensors: values, metadata: m).write(to: complete ? done : partial)
        }
        let todo = images.filter { !covered.contains($0) }
        log("test shard \(shard): \(todo.count) of \(images.count) test images to go → \(done.lastPathComponent)")
        var added = 0
        try generate(todo, runFolder: dir.appendingPathComponent(names.run)) { id, activations, labels in
            try study.add(imageID: id, activations: activations, labels: labels)
            covered.append(id)
            added += 1
            try checkpoint(complete: false)
            try Self.stop(after: added, stopAfter, partial)
        }
        try checkpoint(complete: true)
        try? FileManager.default.removeItem(at: partial)
        log("test shard \(shard): done, \(images.count) images → \(done.path)")
    }

    static func predictions(_ f: StudyShardFile, _ url: URL) throws -> [PredictionRecord] {
        guard let text = f.metadata["predictions"],
              let p = try? JSONDecoder().decode([PredictionRecord].self, from: Data(text.utf8)) else {
            throw StudiesError.folder(path: url.path, reason: "metadata 'predictions' missing or unreadable")
        }
        return p
    }

    /// Merges every test shard and writes STUDY/study (metrics.csv, per-image metrics, probes, report.html).
    @discardableResult
    public func report() throws -> [MetricRow] {
        let study = try solvedStudy()
        for (url, f) in try completeShards(stage: "test") {
            try study.importTestState(f.tensors, predictions: try Self.predictions(f, url),
                                      ids: try f.list("images", in: url), what: url.path)
        }
        let rows = try study.finish(runFolder: folder)
        log("report: \(rows.count) metric rows → \(studyOut.appendingPathComponent("report.html").path)")
        return rows
    }
}
