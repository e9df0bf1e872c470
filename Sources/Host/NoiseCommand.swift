// `ldmprobe noise`: torch-compatible CPU noise, `torch.manual_seed(seed); torch.randn(shape)` bit for bit, written
// as a float32 .npy (initial latents of the published dataset come from (prompt, seed) rows this way).
import ArgumentParser
import FileFormats
import Foundation
import Pipeline

struct NoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noise",
        abstract: "Write torch.manual_seed(seed); torch.randn(shape) (CPU, float32) as an .npy file.")

    @Option(help: "The seed given to torch.manual_seed (negative seeds wrap to uint64 as in torch).")
    var seed: Int64

    @Option(help: "Comma-separated shape, e.g. 1,4,64,64.")
    var shape: String = "1,4,64,64"

    @Option(help: "Distribution: randn (normal) or rand (uniform in [0, 1)).")
    var distribution: Distribution = .randn

    @Option(help: "Output .npy file (float32).")
    var out: String

    enum Distribution: String, ExpressibleByArgument { case randn, rand }

    /// Positive dimensions whose product stays within 2^30 elements (checked before anything is allocated).
    func parsedShape() throws -> [Int] { try ListFlag.shape(shape, flag: "--shape") }

    func validate() throws { _ = try parsedShape() }

    func run() throws {
        let dims = try parsedShape()
        var generator = TorchGenerator(seed: seed)
        let count = dims.reduce(1, *)
        let values = distribution == .randn ? generator.randn(count: count) : generator.rand(count: count)
        try NpyArray(float32: values, shape: dims).write(to: URL(fileURLWithPath: out))
    }
}
