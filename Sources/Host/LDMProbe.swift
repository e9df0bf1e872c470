// The `ldmprobe` command: one subcommand per file in this folder.
import ArgumentParser

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
            MergeCommand.self,
            ProbeCommand.self,
            ClassifyCommand.self,
            ClassifyRunCommand.self,
            PipelineCommand.self,
            InterveneCommand.self,
            PluginsCommand.self,
            ActionCommand.self,
            ValidatePluginCommand.self,
            BenchCommand.self,
        ]
    )
}

/// ldmprobe's own version, recorded in every run manifest and handed to plugins.
enum LDMProbeVersion {
    static let string = "0.1.0"
}
