// `pipeline`'s settings: generation (model, sampling, size), the images, the samplers, what to capture, the probe
// study, per-step classification and the controls; each sampler gets OUT/<sampler>/{run,study,classification}.
import FileFormats
import Foundation
import Pipeline

public struct PipelineConfig {
    public var generation: GenerationConfig
    public var jobs: [ImageJob]
    /// Recorded in the run manifest.
    public var promptsFile: String?
    /// Sampler plugin specs; one run per sampler.
    public var samplers = ["lms"]
    /// Capture patterns; empty: every self-attention output.
    public var capture: [String] = []
    public var study = StudyConfig()
    /// Classifier spec for per-step classification of x_t (nil: none).
    public var classifier: String?
    /// The target class of every image (default: the class named in each prompt).
    public var target: String?
    /// Store activations in the run folder too (the in-process study still streams).
    public var keepActivations = false
    /// The stored path: activations written to the run folder, read back by the study.
    public var fromDisk = false
    public var activationDType: NpyDType = .float16
    /// Bytes of activations / probe statistics the in-process study may hold.
    public var memoryLimit = 4 << 30
    /// The permuted-weights control: the same images from a UNet whose every weight tensor's elements are
    /// permuted with this seed, probed the same way; its rows join metrics.csv as PROPERTY:permuted.
    public var permutedControlSeed: UInt64?
    public var out: URL

    public init(generation: GenerationConfig, jobs: [ImageJob], out: URL) {
        self.generation = generation
        self.jobs = jobs
        self.out = out
    }

    /// The capture patterns the study probes.
    public var capturePatterns: [String] { capture.isEmpty ? CaptureSelection.defaultPatterns : capture }
}
