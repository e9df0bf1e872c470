// swift-tools-version:5.9
// ldmprobe: look inside latent diffusion models.
//
// Data flow, and so the target graph:
//   Tokenizer → Models/CLIP → [sampler plugin ⇄ Models/UNet with taps] × U → Models/VAE → image
//   taps → run folder (Pipeline) and probe/classifier plugins (PluginHost) → Study (metrics, reports)
// Plugins are dynamic libraries that see only the C headers in Sources/PluginABI.
import PackageDescription
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

/// Every plugin exports exactly one symbol (ldmprobe_entry_v1); the version script hides the rest, so a plugin's
/// private copy of a shared Swift target never clashes with the host's. Linked with lld (shipped with Swift): gold,
/// the default, leaves the hidden Swift type metadata in .dynsym as local symbols.
let pluginLinker: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld",
                                                   "-Xlinker", "--version-script=\(root)/Plugins/exports.map"])]

/// Numeric code wants optimisation: tests and tools run in release (scripts/test.sh), hot loops use unsafe buffers.
let swiftSettings: [SwiftSetting] = []

func plugin(_ name: String, path: String, deps: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: ["PluginABI", "PluginKit"] + deps, path: path,
            swiftSettings: swiftSettings, linkerSettings: pluginLinker)
}

// Built and tested on Linux only (the plugin link flags are GNU ld/lld's), so no other platform is declared.
let package = Package(
    name: "ldmprobe",
    products: [
        .executable(name: "ldmprobe", targets: ["Host"]),
        .library(name: "DDIMSampler", type: .dynamic, targets: ["DDIMSampler"]),
        .library(name: "PNDMSampler", type: .dynamic, targets: ["PNDMSampler"]),
        .library(name: "LMSSampler", type: .dynamic, targets: ["LMSSampler"]),
        .library(name: "LinearProbe", type: .dynamic, targets: ["LinearProbe"]),
        .library(name: "VGGClassifier", type: .dynamic, targets: ["VGGClassifier"]),
        .library(name: "LabelImporters", type: .dynamic, targets: ["LabelImporters"]),
        .library(name: "WorldLabelers", type: .dynamic, targets: ["WorldLabelers"]),
        .library(name: "WorldClassifier", type: .dynamic, targets: ["WorldClassifier"]),
        .library(name: "DAAMWordMaps", type: .dynamic, targets: ["DAAMWordMaps"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C ABI: the headers are the only definition of the plugin interface.
        .target(name: "PluginABI", path: "Sources/PluginABI"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CFFI", path: "Sources/CFFI"),

        // Numerics and model runtime.
        .target(name: "CKernels", path: "Sources/CKernels", cSettings: [.unsafeFlags(["-O3", "-mavx2", "-mfma", "-mf16c"])]),
        .target(name: "Tensor", dependencies: ["COpenBLAS", "CKernels"], swiftSettings: swiftSettings),
        .target(name: "Weights", dependencies: ["Tensor"], swiftSettings: swiftSettings),
        .target(name: "Tokenizer", swiftSettings: swiftSettings),
        .target(name: "SeededRandom", swiftSettings: swiftSettings),  // SplitMix64, shared by host and plugins
        .target(name: "Models", dependencies: ["Tensor", "Weights"], swiftSettings: swiftSettings),
        .target(name: "FileFormats", dependencies: ["CPNG"], swiftSettings: swiftSettings),
        // DAAM's word-map numerics (bicubic, aggregation), shared by the host and the `daam` word-map plugin.
        .target(name: "WordMapCore", swiftSettings: swiftSettings),

        // Plugin loading (host side) and the helpers Swift plugins share (plugin side).
        .target(name: "PluginHost", dependencies: ["PluginABI", "CFFI", "SeededRandom"], swiftSettings: swiftSettings),
        .target(name: "PluginKit", dependencies: ["PluginABI"], swiftSettings: swiftSettings),

        // Text → image with taps, the run folder; then the study (labels, probes, metrics, reports).
        .target(name: "Pipeline",
                dependencies: ["Tensor", "Weights", "Tokenizer", "Models", "FileFormats", "PluginHost", "SeededRandom",
                               "WordMapCore"],
                swiftSettings: swiftSettings),
        .target(name: "Study", dependencies: ["Tensor", "FileFormats", "PluginHost", "Weights", "SeededRandom"],
                swiftSettings: swiftSettings),
        // The experiments that join generation and study, each a config in, results out: generation setup, the
        // in-process study (stream · memory · spill), the stored-run study, per-step classification, interventions.
        .target(name: "Studies",
                dependencies: ["Pipeline", "Study", "PluginHost", "PluginABI", "FileFormats", "Models", "Tensor",
                               "Weights", "SeededRandom", "ClassifierSupport", "Tokenizer", "WordMapCore"],
                swiftSettings: swiftSettings),
        .target(name: "World", dependencies: ["Tensor", "FileFormats", "Weights", "SeededRandom"],
                swiftSettings: swiftSettings),

        .executableTarget(
            name: "Host",
            dependencies: ["Studies", "Pipeline", "Study", "World", "PluginHost", "Models", "Tokenizer", "Weights",
                           "FileFormats", "Tensor", "ClassifierSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),

        // Plugins: each a dynamic library built against the C headers (plus PluginKit's Swift conveniences).
        .target(name: "SamplerSupport", dependencies: ["PluginABI", "PluginKit"], path: "Plugins/Samplers/Common",
                swiftSettings: swiftSettings),
        plugin("DDIMSampler", path: "Plugins/Samplers/DDIM", deps: ["SamplerSupport"]),
        plugin("PNDMSampler", path: "Plugins/Samplers/PNDM", deps: ["SamplerSupport"]),
        plugin("LMSSampler", path: "Plugins/Samplers/LMS", deps: ["SamplerSupport"]),
        plugin("LinearProbe", path: "Plugins/Probes/Linear", deps: ["COpenBLAS", "SeededRandom"]),
        // VGG network, preprocessing and class names, shared by the plugin and its tests.
        .target(name: "ClassifierSupport", dependencies: ["PluginKit", "Tensor", "Weights", "SeededRandom"],
                path: "Plugins/Classifiers/Common", swiftSettings: swiftSettings),
        plugin("VGGClassifier", path: "Plugins/Classifiers/VGG",
               deps: ["ClassifierSupport", "Tensor", "Weights", "FileFormats"]),
        plugin("LabelImporters", path: "Plugins/Labelers/Importers", deps: ["FileFormats", "Weights"]),
        plugin("WorldLabelers", path: "Plugins/Labelers/World", deps: ["World", "Tensor"]),
        plugin("WorldClassifier", path: "Plugins/Classifiers/World", deps: ["World", "Tensor"]),
        plugin("DAAMWordMaps", path: "Plugins/WordMaps/DAAM", deps: ["WordMapCore"]),

        // Tests: one target per area. Fixtures live in Tests/Fixtures (each with the reference's version and
        // the command that made it).
        .testTarget(name: "PluginHostTests", dependencies: ["PluginHost", "PluginABI"], swiftSettings: swiftSettings),
        .testTarget(name: "SamplerTests", dependencies: ["PluginHost", "FileFormats", "SamplerSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], swiftSettings: swiftSettings),
        .testTarget(name: "WeightsTests", dependencies: ["Weights", "Tensor"], swiftSettings: swiftSettings),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"], swiftSettings: swiftSettings),
        .testTarget(name: "ModelTests", dependencies: ["Models", "Weights", "Tensor", "FileFormats"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "FileFormats", "PluginHost"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "StudiesTests", dependencies: ["Studies", "Pipeline", "Study", "FileFormats", "PluginHost",
                                                        "Models", "Tensor"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "StudyTests", dependencies: ["Study", "FileFormats", "PluginHost"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "ClassifierTests", dependencies: ["PluginHost", "FileFormats", "ClassifierSupport", "Weights",
                                                         "Study", "Tensor"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "WorldTests", dependencies: ["World", "FileFormats"], swiftSettings: swiftSettings),
        .testTarget(name: "CLITests", dependencies: [], swiftSettings: swiftSettings),
    ],
    swiftLanguageVersions: [.v5]
)
