// The `ldmprobe` command: one subcommand per file in this folder.
import ArgumentParser
import Foundation
import Studies
import Tensor

@main
struct LDMProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ldmprobe",
        abstract: "Look inside latent diffusion models: generate, capture, label, probe, classify.",
        version: LDMProbeVersion.string,
        subcommands: [
            // Each area adds its command here (one line each, keep the order of the data flow).
            WorldCommand.self,
            TokenizeCommand.self,
            NoiseCommand.self,
            GenerateCommand.self,
            LayersCommand.self,
            WordMapsCommand.self,
            MergeCommand.self,
            ProbeCommand.self,
            ClassifyCommand.self,
            ClassifyRunCommand.self,
            PipelineCommand.self,
            StudyCommand.self,
            ReportCommand.self,
            InterveneCommand.self,
            EarlyExitCommand.self,
            PluginsCommand.self,
            ActionCommand.self,
            ValidatePluginCommand.self,
            BenchCommand.self,
        ]
    )

    /// `ldmprobe help NAME` with an unknown NAME is a usage error (ArgumentParser would print the root help and
    /// exit 0); everything else is ArgumentParser's.
    static func main() {
        // Before any thread allocates: glibc's defaults keep tens of MB of freed memory resident (docs/memory.md).
        ProcessHeap.configure(environment: ProcessInfo.processInfo.environment)
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "help", let name = args.dropFirst().first, !name.hasPrefix("-") {
            let known = configuration.subcommands.map { $0.configuration.commandName ?? "" } + ["help"]
            if !known.contains(name) {
                FileHandle.standardError.write(Data(("Error: help: no command '\(name)' (commands: "
                                                     + known.joined(separator: ", ") + ")\n").utf8))
                Foundation.exit(64)
            }
        }
        main(nil)
    }
}
