// `ldmprobe validate-plugin LIB...`: loads each plugin library (or every lib*.so in a folder) and checks its
// plugins against the ABI's promises (PluginHost.PluginValidator); prints a pass/fail table, or JSON, and exits
// 1 when a check fails.
import ArgumentParser
import Foundation
import PluginHost

struct ValidatePluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-plugin",
        abstract: "Check plugin libraries against the plugin ABI (descriptors, instances, determinism, NaN, shapes).")

    @Argument(help: ArgumentHelp("Plugin libraries, or folders whose lib*.so are all checked.", valueName: "lib"))
    var libraries: [String]

    @Option(name: .customLong("spec"),
            help: ArgumentHelp("Parameters for one plugin, name:key=value,… (e.g. vgg16:weights=random:0/16); "
                               + "repeatable.", valueName: "spec"))
    var specs: [String] = []

    @Option(help: ArgumentHelp("Folder handed to labelers (default: an empty temporary folder).", valueName: "dir"))
    var labelSource: String?

    @Option(help: ArgumentHelp("An image id with a label in --label-source, to check a real label.", valueName: "id"))
    var imageID: String?

    @Option(help: "How many times each plugin is created and destroyed.")
    var repeats = 20

    @Option(help: "Seed of the random inputs.")
    var seed: UInt64 = 0

    @Flag(help: "Print the ValidationReport as JSON.")
    var json = false

    func run() throws {
        var options = ValidationOptions()
        for text in specs {
            let spec = try PluginSpec.parse(text)
            guard options.specs[spec.name] == nil else {
                throw ValidationError("--spec: plugin '\(spec.name)' given twice (hint: one --spec per plugin)")
            }
            options.specs[spec.name] = spec.settings
        }
        options.labelSource = labelSource
        options.imageID = imageID
        guard repeats >= 1 && repeats <= 10_000 else { throw ValidationError("--repeats \(repeats): expected 1…10000") }
        options.repeats = repeats
        options.seed = seed
        let report = PluginValidator.validate(libraries: try expand(libraries), options: options)
        print(json ? try report.json() : report.table)
        if !report.passed { throw ExitCode(1) }
    }

    /// Folders become their lib*.<suffix> files, sorted.
    func expand(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                throw ValidationError("\(p): no such file or folder (hint: a plugin library such as libmine.so)")
            }
            guard isDir.boolValue else { out.append(p); continue }
            let libs = PluginRegistry.libraries(in: p)
            guard !libs.isEmpty else { throw ValidationError("\(p): no lib*\(PluginRegistry.librarySuffix) in this folder") }
            out += libs
        }
        return out
    }
}
