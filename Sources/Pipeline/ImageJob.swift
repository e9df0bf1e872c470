// One image to generate: its id, prompt and where its initial noise comes from.
import FileFormats
import Foundation

/// Where the unscaled standard-normal initial latent comes from.
public enum NoiseSource: Equatable, Sendable {
    /// `torch.manual_seed(seed); torch.randn([1, 4, h, w])` on the CPU.
    case seed(UInt64)
    /// An .npy file holding float32 (or float16) [1, 4, h, w] or [4, h, w].
    case file(String)
}

/// One image of a run.
public struct ImageJob: Equatable, Sendable {
    /// `prompt_<prompt_ind>_seed_<seed>`, `prompt_0_seed_<seed>` for --prompt, `prompt_0_noise` for --init-noise.
    public var id: String
    public var prompt: String
    public var noise: NoiseSource
    public var promptIndex: Int

    public init(id: String, prompt: String, noise: NoiseSource, promptIndex: Int) {
        self.id = id
        self.prompt = prompt
        self.noise = noise
        self.promptIndex = promptIndex
    }

    /// A dataset row.
    public init(row: PromptRow) {
        self.init(id: row.imageID, prompt: row.prompt, noise: .seed(row.seed), promptIndex: row.promptIndex)
    }

    /// `--prompt TEXT --seed N`.
    public static func single(prompt: String, seed: UInt64) -> ImageJob {
        ImageJob(id: "prompt_0_seed_\(seed)", prompt: prompt, noise: .seed(seed), promptIndex: 0)
    }

    /// `--prompt TEXT --init-noise FILE`.
    public static func single(prompt: String, noiseFile: String) -> ImageJob {
        ImageJob(id: "prompt_0_noise", prompt: prompt, noise: .file(noiseFile), promptIndex: 0)
    }

    public var seed: UInt64? { if case let .seed(s) = noise { return s }; return nil }
}
