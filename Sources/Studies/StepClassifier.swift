// Per-step classification fed from memory: a step observer that classifies x_t as the pipeline decodes it
// (StepEvent decodes once for every observer), so no intermediate PNG is written or read back.
import Foundation
import Pipeline
import PluginHost
import Study

public final class StepClassifier: StepObserver {
    let study: StepClassification
    let targets: ClassificationTargets
    private var current: [StepClassificationReport.Call] = []
    private var images: [StepClassificationReport.ImageResult] = []
    /// Seconds spent decoding and classifying (reported apart from generation).
    public private(set) var seconds = 0.0

    public init(classifier: ClassifierInstance, targets: ClassificationTargets, top: Int = 5) {
        study = StepClassification(classifier: classifier, top: top)
        classifierName = classifier.plugin.name
        self.targets = targets
    }

    public func imageWillStart(_ context: ImageContext) throws { current = [] }

    public func stepDidFinish(_ step: StepEvent) throws {
        let start = Date()
        defer { seconds += Date().timeIntervalSince(start) }
        let job = step.context.job
        let t = targets.target(id: job.id, promptIndex: job.promptIndex, prompt: job.prompt)
        current.append(try study.classify(step.decodedLatentImage(), call: step.call, target: t))
    }

    public func imageDidFinish(_ result: GeneratedImage) throws {
        let job = result.context.job
        images.append(study.result(id: job.id, prompt: job.prompt,
                                   target: targets.target(id: job.id, promptIndex: job.promptIndex, prompt: job.prompt),
                                   kinds: ["xt": current]))
        current = []
    }

    public func imageDidFail(_ context: ImageContext, error: Error) { current = [] }

    /// The records of the images finished so far, in order (a sharded study's map tasks keep them).
    public var results: [StepClassificationReport.ImageResult] { images }

    /// The classifier plugin's name, as reports name it.
    public let classifierName: String

    /// The report over every image finished so far (classification.csv/json and charts via `write(to:)`).
    public func report() -> StepClassificationReport { study.report(images, kinds: ["xt"]) }
}
