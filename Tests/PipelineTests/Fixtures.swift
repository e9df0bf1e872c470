// Locating fixtures and scratch folders for PipelineTests.
import Foundation
import Pipeline
import Tensor

enum Fixtures {
    /// Tests/Fixtures, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static func formats(_ name: String) -> URL { root.appendingPathComponent("formats").appendingPathComponent(name) }
    static func pipeline(_ name: String) -> URL { root.appendingPathComponent("pipeline").appendingPathComponent(name) }

    /// A fresh empty folder under the system temporary directory.
    static func scratch(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ldmprobe-pipelinetests-\(getpid())-\(name)-\(UInt32.random(in: 0 ... .max))")
        try? FileManager.default.removeItem(at: url)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A one-image run of `pipeline` into `dir` keeping latents and float32 activations (the parity tests').
    static func parityRun(_ pipeline: DiffusionPipeline, dir: URL, job: ImageJob, capture: [String]?,
                          branches: BranchSelection = .cond, sampler: String, model: StableDiffusionModel) throws
        -> GenerationRun {
        var options = RunOptions(jobs: [job])
        options.capturePatterns = capture
        options.branches = branches
        options.activationDType = .float32
        options.saveLatents = true
        return try GenerationRun(pipeline: pipeline, folder: RunFolder(dir), options: options,
                                 model: .init(path: model.path, weightsHash: "-", files: []),
                                 samplerName: sampler, samplerVersion: "-", samplerParameters: [:],
                                 vaeScalingFactor: Double(model.scalingFactor))
    }

    /// Largest absolute difference: NaN if either side holds a NaN, +∞ if the counts differ (Tensor.maxAbsDiff).
    static func maxdiff(_ a: [Float], _ b: [Float]) -> Float { Tensor.maxAbsDiff(a, b) }
}
