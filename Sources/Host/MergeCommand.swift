// `ldmprobe merge OUT SHARD_DIR...`: one run folder from the run folders of `generate --shard K/N` jobs.
import ArgumentParser
import Foundation
import Pipeline
import Studies

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the run folders of `generate --shard K/N` jobs into one run folder.",
        discussion: "Shards must share their settings (weights hash, sampler, steps, capture set, …). Files are "
            + "hard-linked when possible, else copied; images not done in their shard stay pending.")

    @Argument(help: "The merged run folder to create.")
    var out: String

    @Argument(help: "Shard run folders, in any order.")
    var shards: [String]

    @Flag(help: "Replace OUT first (only a folder ldmprobe made; a folder of yours is refused).")
    var overwrite = false

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give at least one SHARD_DIR") }
    }

    func run() throws {
        // As every command's --out: a non-empty OUT is refused (merging never resumes).
        try OutputFolder.prepare(URL(fileURLWithPath: out), policy: overwrite ? .overwrite : .refuseNonEmpty)
        let report = try RunMerger.merge(into: RunFolder(URL(fileURLWithPath: out)),
                                         from: shards.map { RunFolder(URL(fileURLWithPath: $0)) })
        for note in report.notes { FileHandle.standardError.write(Data("warning: \(note)\n".utf8)) }
        let done = report.manifest.images.count - report.pending
        print("\(done)/\(report.manifest.images.count) images done in \(out) "
              + "(\(report.filesLinked) files linked, \(report.filesCopied) copied, \(report.pending) pending)")
    }
}
