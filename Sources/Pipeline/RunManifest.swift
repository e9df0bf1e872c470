// manifest.json of a run folder (docs/run-folder.md): what was run (model and its weights hash, sampler and its
// parameters, timesteps, guidance, size, RNG, capture set, versions) and the status of every image. The image
// list is rewritten (atomically) after each image; an image is "done" only once all its files are in place.
import FileFormats
import Foundation

/// Everything that determines a run's outputs. Two run folders can be resumed into or merged only when their
/// settings are equal.
public struct RunSettings: Codable, Equatable, Sendable {
    public struct Model: Codable, Equatable, Sendable {
        /// Path as given on the command line (absolute).
        public var path: String
        /// XXH64 over the weight files' hashes (see docs/run-folder.md); equal weights → equal hash.
        public var weightsHash: String
        /// Each weight file read: path relative to the model, size, XXH64 of its bytes.
        public var files: [ModelFingerprint.FileHash]
        /// Set for the studies' control: every UNet weight tensor's elements permuted with this seed
        /// (WeightPermutation); nil for the model as stored.
        public var unetPermutationSeed: UInt64?

        public init(path: String, weightsHash: String, files: [ModelFingerprint.FileHash],
                    unetPermutationSeed: UInt64? = nil) {
            self.path = path
            self.weightsHash = weightsHash
            self.files = files
            self.unetPermutationSeed = unetPermutationSeed
        }
    }

    public struct Sampler: Codable, Equatable, Sendable {
        public var name: String
        public var version: String
        /// Every declared parameter with the value used (defaults included), as text.
        public var parameters: [String: String]
        /// The scheduler_config.json handed to the sampler (null: the sampler's SD v1.4 default).
        public var schedulerConfig: String?
    }

    public struct Capture: Codable, Equatable, Sendable {
        /// --capture patterns as given (default ["*attn1"]).
        public var patterns: [String]
        /// Resolved capture points, execution order: path and stored per-branch shape [C, h, w].
        public var layers: [Layer]
        public var branch: BranchSelection
        /// "f16" or "f32".
        public var dtype: String

        public struct Layer: Codable, Equatable, Sendable {
            public var path: String
            public var shape: [Int]
        }
    }

    public var model: Model
    public var sampler: Sampler
    public var steps: Int
    /// Number of UNet calls U (PNDM: steps + 1).
    public var calls: Int
    public var timesteps: [Double]
    public var initNoiseSigma: Double
    public var guidance: Double
    public var negativePrompt: String
    public var height: Int
    public var width: Int
    /// [1, 4, h, w].
    public var latentShape: [Int]
    public var vaeScalingFactor: Double
    /// How initial noise is made: "torch.manual_seed(seed); torch.randn([1, 4, h, w]) (CPU, float32)" or "file".
    public var rng: String
    public var capture: Capture
    public var saveLatents: Bool
    /// "none", "xt", "x0" or "both".
    public var saveIntermediates: String
    /// img2img: the init image (absolute path) and strength; nil for text → image (absent from older manifests).
    public var initImage: String? = nil
    public var strength: Double? = nil
}

/// One image's entry.
public struct ImageRecord: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable { case pending, done }
    public var id: String
    public var prompt: String
    public var promptInd: Int
    /// The torch seed, or nil with --init-noise.
    public var seed: UInt64?
    /// --init-noise file (absolute path), or nil.
    public var noiseFile: String?
    public var status: Status
    /// Wall-clock seconds for the image (nil until done).
    public var seconds: Double?
    /// ISO 8601 time it was finished.
    public var finished: String?

    public init(job: ImageJob) {
        id = job.id
        prompt = job.prompt
        promptInd = job.promptIndex
        switch job.noise {
        case let .seed(s): seed = s; noiseFile = nil
        case let .file(f): seed = nil; noiseFile = f
        }
        status = .pending
    }

    public var job: ImageJob {
        ImageJob(id: id, prompt: prompt, noise: noiseFile.map { .file($0) } ?? .seed(seed ?? 0), promptIndex: promptInd)
    }
}

/// The manifest file.
public struct RunManifest: Codable, Equatable, Sendable {
    /// "ldmprobe-run".
    public var format = "ldmprobe-run"
    /// Bumped when the folder layout changes incompatibly.
    public var formatVersion = 1
    public var ldmprobeVersion: String
    /// The plugin ABI the host was built against, "major.minor".
    public var pluginAbi: String
    public var created: String
    public var settings: RunSettings
    /// Shards this folder holds ("1/1" for a whole run; after `merge`, every merged shard).
    public var shards: [String]
    /// --prompts file, when used.
    public var promptsFile: String?
    public var images: [ImageRecord]

    public init(ldmprobeVersion: String, pluginAbi: String, settings: RunSettings, shards: [String],
                promptsFile: String?, images: [ImageRecord]) {
        self.ldmprobeVersion = ldmprobeVersion
        self.pluginAbi = pluginAbi
        self.created = RunManifest.now()
        self.settings = settings
        self.shards = shards
        self.promptsFile = promptsFile
        self.images = images
    }

    public static func now() -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date())
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()

    public func encoded() throws -> Data { try RunManifest.encoder.encode(self) }

    public static func read(_ url: URL) throws -> RunManifest {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PipelineError.runFolder(path: url.path, reason: "cannot read the manifest: \(error.localizedDescription)")
        }
        do {
            let m = try decoder.decode(RunManifest.self, from: data)
            guard m.format == "ldmprobe-run" else {
                throw PipelineError.runFolder(path: url.path, reason: "not an ldmprobe run manifest (format '\(m.format)')")
            }
            guard m.formatVersion == 1 else {
                throw PipelineError.runFolder(path: url.path,
                    reason: "run folder format \(m.formatVersion) is newer than this ldmprobe knows (1)")
            }
            // Ids become file names (images/<id>.png, activations/<id>/…): refuse any that could leave the folder.
            for r in m.images { try SafePath.checkName(r.id, what: "\(url.path): image id") }
            return m
        } catch let e as PipelineError { throw e } catch let e as SafePathError { throw e } catch {
            throw PipelineError.runFolder(path: url.path, reason: "corrupt manifest: \(error)")
        }
    }

    public func write(to url: URL) throws { try AtomicFile.write(encoded(), to: url) }

    /// Names of the settings fields that differ between `a` and `b` (empty when equal).
    public static func differences(_ a: RunSettings, _ b: RunSettings) -> [String] {
        guard let da = try? JSONSerialization.jsonObject(with: encoder.encode(a)) as? [String: Any],
              let db = try? JSONSerialization.jsonObject(with: encoder.encode(b)) as? [String: Any] else {
            return a == b ? [] : ["settings"]
        }
        var out: [String] = []
        for key in Set(da.keys).union(db.keys).sorted() {
            let va = da[key].map { "\($0)" }, vb = db[key].map { "\($0)" }
            if let x = da[key] as? [String: Any], let y = db[key] as? [String: Any] {
                for sub in Set(x.keys).union(y.keys).sorted() where !equalJSON(x[sub], y[sub]) { out.append("\(key).\(sub)") }
            } else if va != vb && !equalJSON(da[key], db[key]) {
                out.append(key)
            }
        }
        return out.isEmpty && a != b ? ["settings"] : out
    }

    private static func equalJSON(_ a: Any?, _ b: Any?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        guard let ja = try? JSONSerialization.data(withJSONObject: [a], options: .sortedKeys),
              let jb = try? JSONSerialization.data(withJSONObject: [b], options: .sortedKeys) else { return false }
        return ja == jb
    }
}
