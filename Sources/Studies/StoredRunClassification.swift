// Per-step classification of a stored run (`classify-run`): the decoded intermediates a generate run saved
// (intermediates/<id>/xt_NN.png, x0_NN.png) through the classifier, image by image.
import Foundation
import Pipeline
import PluginHost
import Study

public struct StoredRunClassification {
    public var run: URL
    /// "xt", "x0" or "both"; nil: whatever the run saved.
    public var kinds: String?
    public var top = 5

    public init(run: URL, kinds: String? = nil, top: Int = 5) {
        self.run = run
        self.kinds = kinds
        self.top = top
    }

    /// Returns the report and the ids of images without a target class.
    public func execute(classifier: ClassifierInstance, targets: ClassificationTargets,
                        progress: @escaping (Int, Int, Int, Int) -> Void) throws -> (StepClassificationReport, [String]) {
        let folder = RunFolder(run)
        let manifest = try folder.readManifest()
        let saved = manifest.settings.saveIntermediates
        let wanted = kinds ?? (saved == "none" ? "xt" : saved)
        let kindList = wanted == "both" ? ["xt", "x0"] : [wanted]
        var images: [StepImage] = []
        for record in manifest.images where record.status == .done {
            var frames: [String: [URL]] = [:]
            for kind in kindList {
                let urls = (0..<manifest.settings.calls).map { folder.intermediateURL(record.id, kind: kind, call: $0) }
                if let missing = urls.first(where: { !FileManager.default.fileExists(atPath: $0.path) }) {
                    throw ClassificationError.missingIntermediates(
                        run: run.path, message: "image \(record.id): no \(missing.lastPathComponent) (run saved '\(saved)')")
                }
                frames[kind] = urls
            }
            let t = targets.target(id: record.id, promptIndex: record.promptInd, prompt: record.prompt)
            images.append(StepImage(id: record.id, prompt: record.prompt, target: t, frames: frames))
        }
        guard !images.isEmpty else {
            throw ClassificationError.missingIntermediates(run: run.path, message: "no finished images in the manifest")
        }
        let report = try StepClassification(classifier: classifier, top: top).run(images, kinds: kindList,
                                                                                  progress: progress)
        return (report, images.filter { $0.target == nil }.map(\.id))
    }
}
