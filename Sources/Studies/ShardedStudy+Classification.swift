// Per-step classification in the sharded study: every map task classifies x_t of its own images as `pipeline`
// does (the partner image of a training shard is classified by the shard that owns it), keeps the records in
// its checkpoint and shard file (metadata "classification", JSON), and report joins them in the pipeline's
// generation order (training images along the control cycle, then the test images) into STUDY/classification.
import Foundation
import Study

extension ShardedStudy {
    static func json(_ records: [StepClassificationReport.ImageResult]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? String(decoding: encoder.encode(records), as: UTF8.self)) ?? "[]"
    }

    /// The classification records of a shard file or checkpoint ([] when the study classifies nothing).
    func classification(_ f: StudyShardFile, _ url: URL) throws -> [StepClassificationReport.ImageResult] {
        guard base.config.classifier != nil else { return [] }
        guard let text = f.metadata["classification"],
              let r = try? JSONDecoder().decode([StepClassificationReport.ImageResult].self, from: Data(text.utf8)) else {
            throw StudiesError.folder(path: url.path, reason: "metadata 'classification' missing or unreadable (hint: a shard made without --classifier?)")
        }
        return r
    }

    /// Joins the shards' records into STUDY/classification (classification.csv/json and charts).
    func writeClassification(train: [(URL, StudyShardFile)], test: [(URL, StudyShardFile)]) throws {
        guard let classifier = try base.stepClassifier() else { return }
        var records: [StepClassificationReport.ImageResult] = []
        for (url, f) in train + test { records += try classification(f, url) }
        let empty = classifier.report()
        let report = StepClassificationReport(classifier: empty.classifier, kinds: empty.kinds, top: empty.top,
                                              images: records)
        try report.write(to: folder.appendingPathComponent("classification"))
        for s in report.summary {
            log("classification \(s.kind): first step with top-1 = target over \(s.imagesWithTarget) image(s)"
                + (s.firstCorrectMedian.map { String(format: ", median %.1f", $0) } ?? ""))
        }
    }
}
