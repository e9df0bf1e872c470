// The test side of the sharded study: test-map K/N (the fitted probes measured on a block of test images,
// checkpointed after every image) and report (every test shard merged, then the tables, weights, charts and
// report.html that `pipeline` writes into OUT/<sampler>/study, and with --classifier STUDY/classification).
import FileFormats
import Foundation
import Pipeline
import Study

extension ShardedStudy {
    /// A study whose probes carry solve's weights (STUDY/solve.safetensors, checked against this stage).
    func solvedStudy() throws -> (study: StreamingProbeStudy, id: String) {
        let url = folder.appendingPathComponent("solve.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StudiesError.folder(path: url.path, reason: "missing (hint: run `ldmprobe study solve --out \(folder.path)` after every train-map task)")
        }
        let f = try StudyShardFile(contentsOf: url)
        try check(f, url)
        let id = SHA256.hex(try Data(contentsOf: url))  // test shards record which fit they measured
        let study = try makeStudy()
        var weights: [String: [Float]] = [:]
        for (k, v) in f.tensors where !k.hasPrefix("layout") { weights[k] = v.map(Float.init) }
        try study.importFitted(weights: weights, layout: { f[$0] }, what: url.path)
        return (study, id)
    }

    /// Runs (or continues) test shard K/N. `stopAfter`: stop after that many new images (a test hook).
    public func testMap(_ shard: ShardSpec, stopAfter: Int? = nil) throws {
        guard let files = try mapFiles("test", shard) else { return }
        let (study, solveID) = try solvedStudy()
        let tests = options.split.test
        let images = Array(tests[shard.range(of: tests.count)])
        var covered: [String] = []
        var classified: [StepClassificationReport.ImageResult] = []  // before this process
        let classifier = try base.stepClassifier()
        if let c = try resumePoint(files, "test", shard, of: images) {
            try checkSolve(c.file, files.partial, solveID)
            (covered, classified) = (c.covered, c.classified)
            try study.importTestState(c.file.tensors, predictions: try Self.predictions(c.file, files.partial), ids: covered,
                                      what: files.partial.path)
        }
        func checkpoint(_ complete: Bool) throws {
            let (values, predictions) = study.exportTestState()
            var m = metadata(stage: "test", shard: shard.description, images: covered, complete: complete,
                             classification: classifier.map { classified + $0.results })
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            m["predictions"] = String(decoding: try encoder.encode(predictions), as: UTF8.self)
            m["solve"] = solveID
            try StudyShardFile(tensors: values, metadata: m).write(to: complete ? files.done : files.partial)
        }
        try runMap(files, "test", shard, todo: Array(images.dropFirst(covered.count)), of: images.count,
                   classifier: classifier, stopAfter: stopAfter, add: { id, activations, labels in
            try study.add(imageID: id, activations: activations, labels: labels)
            covered.append(id)
        }, checkpoint: checkpoint)
    }

    /// Refuses a test shard measured with another fit than STUDY/solve.safetensors (solve was run again).
    func checkSolve(_ f: StudyShardFile, _ url: URL, _ id: String) throws {
        guard f.metadata["solve"] == id else {
            throw StudiesError.folder(path: url.path, reason: "measured with another solve.safetensors than the current one (hint: solve ran again; remove STUDY/test and re-run test-map)")
        }
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
        let (study, solveID) = try solvedStudy()
        let tests = try completeShards(stage: "test")
        for (url, f) in tests {
            try checkSolve(f, url, solveID)
            try study.importTestState(f.tensors, predictions: try Self.predictions(f, url),
                                      ids: try f.list("images", in: url), what: url.path)
        }
        let rows = try study.finish(runFolder: folder)
        let train = try completeShards(stage: "train")
        try writeClassification(train: train, test: tests)
        try StudyRecord(run: folder, activations: "in-process, sharded (\(train.count) training, \(tests.count) test shards)",
                        config: base.config.study, probe: inputs.probe.specText, options: options,
                        layers: inputs.points.map(\.path), calls: options.steps ?? Array(0..<inputs.calls))
            .write(to: studyOut)
        log("report: \(rows.count) metric rows → \(studyOut.appendingPathComponent("report.html").path)")
        return rows
    }
}
