// `ldmprobe plugins`: every plugin found (kind, name, version, ABI, capabilities, file, parameters, actions) and every library
// that could not be loaded, with the reason.
import ArgumentParser
import Foundation
import PluginHost

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List plugins (samplers, probes, classifiers, labelers, word maps) and libraries that failed to load.")

    @Flag(help: "Print JSON (the PluginHost RegistryReport) instead of text.")
    var json = false

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let registry = try plugins.registry()
        if json {
            print(try registry.reportJSON())
            return
        }
        let report = registry.report
        print("ldmprobe plugin ABI \(report.hostAbi); searched: \(report.searched.joined(separator: ", "))")
        for kind in PluginKind.allCases {
            let ofKind = report.plugins.filter { $0.kind == kind }
            guard !ofKind.isEmpty else { continue }
            print("\n\(kind.rawValue)s:")
            for p in ofKind {
                let caps = (p.capabilities ?? []).isEmpty ? "" : ", " + (p.capabilities ?? []).joined(separator: ", ")
                print("  \(p.name) \(p.version)  (ABI \(p.abi)\(caps), \(p.file))")
                if !p.description.isEmpty { print("    \(p.description)") }
                for param in p.params {
                    print("    \(param.name): \(typeText(param))" + (param.help.isEmpty ? "" : " — \(param.help)"))
                }
                for a in p.actions {
                    let args = zip(a.argNames, a.argTypes).map { "<\($0):\($1.rawValue)>" }.joined(separator: " ")
                    print("    action \(a.name) \(args)" + (a.help.isEmpty ? "" : " — \(a.help)"))
                }
            }
        }
        if report.plugins.isEmpty { print("\nno plugins found (hint: --plugin-path DIR or LDMPROBE_PLUGIN_PATH)") }
        if !report.failures.isEmpty {
            print("\nnot loaded:")
            for f in report.failures { print("  \(f.file): \(f.reason)") }
        }
    }

    private func typeText(_ p: ParamInfo) -> String {
        var s = p.type == .choice ? "choice \(p.choices.joined(separator: "|"))" : p.type.rawValue
        if let lo = p.min, let hi = p.max {
            s += " in [\(formatNumber(lo)), \(formatNumber(hi))]"
        }
        if let d = p.defaultValue { s += ", default \(d.isEmpty ? "\"\"" : d)" } else { s += ", required" }
        return s
    }
}
