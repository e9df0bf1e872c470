// study.json: how a study folder was made, enough to re-analyse it with split.csv, per_image_metrics.csv and
// metrics.csv alone — the tool's version, the run (and the sha256 of its manifest), the probe, labeler and
// control specs, seeds, split and bootstrap settings.
import FileFormats
import Foundation
import Study

public struct StudyRecord: Codable {
    public var tool = "ldmprobe"
    public var toolVersion = LDMProbeVersion.string
    public var created: String
    public var commandLine: [String]
    /// The run folder whose images and activations were probed ("in-process" runs keep no activations).
    public var run: String
    public var runManifestSHA256: String?
    public var activations: String
    public var probe: String
    /// The probe as the plugin bound it, every parameter included (also in the probes' metadata).
    public var probeBound: String
    public var labels: [LabelSpec]
    public var layers: [String]
    public var calls: [Int]
    public var labelHeight: Int
    public var labelWidth: Int
    public var seed: UInt64
    public var split: Split
    public var bootstrap: Bootstrap
    public var controls: [Control]
    public var files: [String: String]

    public struct Split: Codable {
        public var spec: String
        public var train: Int
        public var test: Int
        /// Which image is in which part, one row per image.
        public var file = "split.csv"
    }

    public struct Bootstrap: Codable {
        public var resamples: Int
        public var level = 0.95
        public var seed: UInt64
    }

    public struct Control: Codable {
        /// "shuffled" (labels deranged across training images), "layout" (mean training label) or "permuted" (UNet weights permuted).
        public var name: String
        public var spec: String
        public var run: String?
    }

    public init(run: URL, activations: String, config: StudyConfig, probe bound: String, options: ProbeStudyOptions,
                layers: [String],
                calls: [Int], permutedRun: (run: URL, seed: UInt64)? = nil) {
        created = ISO8601DateFormatter().string(from: Date())
        commandLine = CommandLine.arguments
        self.run = run.path
        let manifest = run.appendingPathComponent("manifest.json")
        runManifestSHA256 = (try? Data(contentsOf: manifest)).map(SHA256.hex)
        self.activations = activations
        probe = config.probe
        probeBound = bound
        labels = config.labels
        self.layers = layers
        self.calls = calls
        labelHeight = options.labelHeight
        labelWidth = options.labelWidth
        seed = options.seed
        split = Split(spec: config.split, train: options.split.train.count, test: options.split.test.count)
        bootstrap = Bootstrap(resamples: options.bootstrapResamples, seed: options.seed)
        controls = []
        if options.shuffledControl {
            controls.append(Control(name: "shuffled", spec: "derangement of the training labels, seed \(options.seed)"))
        }
        controls.append(Control(name: "layout", spec: "the training images' mean label per pixel, no activations"))
        if let p = permutedRun {
            controls.append(Control(name: "permuted", spec: "UNet weights permuted, seed \(p.seed)", run: p.run.path))
        }
        files = ["metrics": "metrics.csv", "per_image_metrics": "per_image_metrics.csv", "split": "split.csv",
                 "gaps": "gaps.csv", "probes": "probes/<property>.safetensors", "report": "report.html"]
        if config.keepLabels { files["labels"] = "labels/<property>/<id>.npy" }
    }

    public func write(to studyFolder: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try enc.encode(self), to: studyFolder.appendingPathComponent("study.json"))
    }
}
