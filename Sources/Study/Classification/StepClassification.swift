// Per-step classification (the follow-up study): every image's decoded intermediate at every UNet call — x_t (the
// current latent, what the study classified) and/or the predicted x0 — goes through a classifier plugin; we keep
// the top-k per call, the target class's probability and rank, and the first call whose top-1 is the target.
//
//     let study = StepClassification(classifier: instance, top: 5)
//     let report = try study.run(images, kinds: ["xt", "x0"], calls: 15) { i, n, j, u in … }
//     try report.write(to: outFolder)    // classification.csv, classification.json, target_probability_<kind>.svg
import FileFormats
import Foundation
import PluginHost

/// One image of a run and where its decoded intermediates are.
public struct StepImage: Sendable {
    public var id: String
    public var prompt: String
    /// Target class index, or nil when none was given or found in the prompt.
    public var target: Int?
    /// kind ("xt" / "x0") → PNG per call (index = 0-based UNet call).
    public var frames: [String: [URL]]

    public init(id: String, prompt: String, target: Int?, frames: [String: [URL]]) {
        self.id = id
        self.prompt = prompt
        self.target = target
        self.frames = frames
    }
}

public final class StepClassification {
    let classifier: ClassifierInstance
    let top: Int
    let labels: [String]

    public init(classifier: ClassifierInstance, top: Int = 5) {
        self.classifier = classifier
        self.top = top
        self.labels = classifier.classNames
    }

    /// Classifies every frame. `progress(image, images, frame, frames)` after each frame.
    public func run(_ images: [StepImage], kinds: [String],
                    progress: ((Int, Int, Int, Int) -> Void)? = nil) throws -> StepClassificationReport {
        var records: [StepClassificationReport.ImageResult] = []
        for (i, image) in images.enumerated() {
            var perKind: [String: [StepClassificationReport.Call]] = [:]
            let total = kinds.reduce(0) { $0 + (image.frames[$1]?.count ?? 0) }
            var done = 0
            for kind in kinds {
                guard let urls = image.frames[kind] else { continue }
                var calls: [StepClassificationReport.Call] = []
                for (call, url) in urls.enumerated() {
                    calls.append(try classify(PNGImage.read(url, as: .rgb8), call: call, target: image.target))
                    done += 1
                    progress?(i, images.count, done, total)
                }
                perKind[kind] = calls
            }
            records.append(result(id: image.id, prompt: image.prompt, target: image.target, kinds: perKind))
        }
        return report(records, kinds: kinds)
    }

    /// One frame (8-bit RGB) at UNet call `call`: the top classes and the target's probability and rank. Also
    /// called with frames decoded in memory during generation.
    public func classify(_ png: PNGImage, call: Int, target: Int?) throws -> StepClassificationReport.Call {
        let p = try classifier.classify(image: png.bytes, height: png.height, width: png.width)
        return StepClassificationReport.Call(call: call, top: ClassRanking.top(p, labels: labels, k: top),
                                             targetProbability: target.map { p[$0] },
                                             targetRank: target.map { ClassRanking.rank(of: $0, in: p) })
    }

    /// One image's record from its calls per kind.
    public func result(id: String, prompt: String, target: Int?,
                       kinds: [String: [StepClassificationReport.Call]]) -> StepClassificationReport.ImageResult {
        StepClassificationReport.ImageResult(id: id, prompt: prompt, target: target,
                                             targetLabel: target.map { $0 < labels.count ? labels[$0] : "class_\($0)" },
                                             kinds: kinds)
    }

    /// The report over `images` (classifier, kinds and top-k of this study).
    public func report(_ images: [StepClassificationReport.ImageResult], kinds: [String]) -> StepClassificationReport {
        StepClassificationReport(classifier: classifier.plugin.name, kinds: kinds, top: top, images: images)
    }
}
