// `ldmprobe action PLUGIN ACTION [ARGS…]`: runs an action a plugin declares (action.h), e.g.
//     ldmprobe action example-euler write_sigmas sigmas.txt 30
// Arguments are checked against the declared types; the exit status is the action's ldmp_status.
import ArgumentParser
import Foundation
import PluginHost

struct ActionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action",
        abstract: "Run an action declared by a plugin (see `ldmprobe plugins` for the list).")

    @Argument(help: "The plugin's name (or the path of its library).")
    var plugin: String

    @Argument(help: "The action's name.")
    var action: String

    @Argument(parsing: .allUnrecognized, help: "The action's arguments, as its usage line says.")
    var arguments: [String] = []

    @Option(help: "The plugin's kind, when several kinds share the name: sampler, probe, classifier or labeler.")
    var kind: String?

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        var registry = try plugins.registry()
        var candidates = registry.plugins.filter { $0.name == plugin }
        if plugin.contains("/") || plugin.hasSuffix(".so") || plugin.hasSuffix(".dylib") {
            registry = try PluginRegistry.discover(extraPaths: [plugin], useEnvironment: false,
                                                   useExecutableFolder: false)
            candidates = registry.plugins
        }
        if let kind {
            guard let k = PluginKind(rawValue: kind) else {
                throw ValidationError("--kind must be one of \(PluginKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            candidates = candidates.filter { $0.kind == k }
        }
        guard !candidates.isEmpty else {
            let names = registry.plugins.filter { !$0.actions.isEmpty }.map(\.name)
            throw ValidationError("no plugin '\(plugin)'" + (names.isEmpty ? "" :
                "; plugins with actions: \(names.joined(separator: ", "))"))
        }
        guard candidates.count == 1 else {
            throw ValidationError("'\(plugin)' names several plugins (\(candidates.map(\.label).joined(separator: ", "))); "
                                  + "add --kind")
        }
        let outcome = try ActionRunner.run(plugin: candidates[0], action: action, arguments: arguments)
        guard outcome.status == 0 else {
            FileHandle.standardError.write(Data(("error: action \(plugin) \(action) failed (\(statusName(outcome.status))): "
                + (outcome.message.isEmpty ? "no message" : outcome.message) + "\n").utf8))
            throw ExitCode(outcome.status)
        }
    }
}
