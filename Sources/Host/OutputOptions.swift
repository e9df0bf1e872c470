// Shared option group: where results go. A non-empty --out is refused unless --resume or --overwrite.
import ArgumentParser
import Foundation
import Studies

struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Output folder (refused when not empty, unless --resume or --overwrite).", valueName: "dir"))
    var out: String

    @Flag(help: "Continue what is in --out (finished images are kept).")
    var resume = false

    @Flag(help: "Replace --out first (only a folder ldmprobe made; a folder of yours is refused).")
    var overwrite = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        if resume && overwrite { throw ValidationError("give --resume or --overwrite, not both") }
    }

    var url: URL { URL(fileURLWithPath: out).standardizedFileURL }

    /// Creates --out, refusing a non-empty one unless --resume/--overwrite.
    func prepare() throws -> URL {
        try OutputFolder.prepare(url, policy: resume ? .resume : overwrite ? .overwrite : .refuseNonEmpty)
        return url
    }
}
