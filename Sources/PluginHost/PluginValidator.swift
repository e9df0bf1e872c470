// PluginHost — `ldmprobe validate-plugin`: loads libraries and exercises each plugin against the ABI's promises
// (descriptor and parameters, create/destroy many times with the host->alloc balance, two instances side by
// side, then per kind: PluginValidator+Sampler, +Probe, +Classifier, +Labeler). Every check is one row of a
// ValidationReport; a check that throws fails with the error's text. Nothing here traps on a bad plugin, but a
// plugin that crashes takes the process with it (run it in a child process to survive that).
//
//     let report = PluginValidator.validate(libraries: ["./libmine.so"])
//     print(report.table)
import Foundation
import PluginABI
import SeededRandom

/// Settings for a validation run.
public struct ValidationOptions: Sendable {
    /// Parameters per plugin name (`vgg16:weights=random:0/16`), for plugins whose defaults cannot create.
    public var specs: [String: [PluginSpec.Setting]] = [:]
    /// The folder handed to labelers' create (default: an empty temporary folder).
    public var labelSource: String?
    /// An image id that has a label in labelSource (checked for shape and values when set).
    public var imageID: String?
    /// How many times create/destroy runs.
    public var repeats = 20
    public var seed: UInt64 = 0

    public init() {}
}

/// A check's own finding (the plugin broke a promise).
struct ValidationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

public enum PluginValidator {
    public static func validate(libraries: [String], options: ValidationOptions = .init()) -> ValidationReport {
        var checks: [ValidationReport.Check] = []
        for lib in libraries { checks += validate(library: lib, options) }
        return ValidationReport(hostAbi: "\(LDMP_ABI_VERSION_MAJOR).\(LDMP_ABI_VERSION_MINOR)", checks: checks)
    }

    static func validate(library path: String, _ o: ValidationOptions) -> [ValidationReport.Check] {
        let record = PluginLoader.load(path)
        var r = Recorder(library: record.path, plugin: "")
        r.run("load") {
            guard record.problems.isEmpty else { throw ValidationFailure(record.problems.joined(separator: "; ")) }
            return "\(record.plugins.count) plugin(s): " + record.plugins.map(\.label).joined(separator: ", ")
        }
        var checks = r.checks
        for info in record.plugins { checks += validate(plugin: info, o) }
        return checks
    }

    static func validate(plugin info: PluginInfo, _ o: ValidationOptions) -> [ValidationReport.Check] {
        var r = Recorder(library: info.library, plugin: info.label)
        r.run("descriptor") {
            let caps = Capability(rawValue: info.capabilities).names
            return "version \(info.version), ABI \(info.abiVersion), \(info.params.count) parameter(s), "
                + "\(info.actions.count) action(s), capabilities [\(caps.joined(separator: ", "))]"
                + (info.capabilitiesFor == nil ? "" : " narrowed per parameter list")
        }
        if !info.actions.isEmpty { r.run("actions") { try checkActions(info) } }
        guard let params = r.value("parameters", {
            let p = try ParamBinder.bind(info, settings: o.specs[info.name] ?? [])
            let set = (o.specs[info.name] ?? []).map { "\($0.key)=\($0.value)" }
            return (p, "\(p.values.count) bound" + (set.isEmpty ? " (defaults)" : " with " + set.joined(separator: ",")))
        }) else { return r.checks }
        switch info.kind {
        case .sampler: checkSampler(SamplerPlugin(info: info, parameters: params), o, &r)
        case .probe: checkProbe(ProbePlugin(info: info, parameters: params), o, &r)
        case .classifier: checkClassifier(ClassifierPlugin(info: info, parameters: params), o, &r)
        case .labeler: checkLabeler(LabelerPlugin(info: info, parameters: params), o, &r)
        case .wordmap: checkWordMap(WordMapPlugin(info: info, parameters: params), o, &r)
        }
        return r.checks
    }

    /// Names and argument lists of actions (the loader already checked types, count and fn).
    static func checkActions(_ info: PluginInfo) throws -> String {
        for a in info.actions {
            guard a.argNames.count == a.argTypes.count else {
                throw ValidationFailure("action \(a.name): \(a.argNames.count) names for \(a.argTypes.count) types")
            }
            for n in a.argNames where n.isEmpty || n.contains(" ") {
                throw ValidationFailure("action \(a.name): argument name '\(n)' is empty or has a space")
            }
            guard Set(a.argNames).count == a.argNames.count else {
                throw ValidationFailure("action \(a.name): argument names repeat: \(a.argNames)")
            }
        }
        return info.actions.map { a in
            "\(a.name)(" + zip(a.argNames, a.argTypes).map { "\($0): \($1.rawValue)" }.joined(separator: ", ") + ")"
        }.joined(separator: "; ")
    }

    /// Runs `body` (which creates and drops one instance) `times` times; the host->alloc balance must return to
    /// where it was.
    static func createDestroy(_ times: Int, _ body: () throws -> Void) throws -> String {
        let before = HostMemory.outstanding
        for _ in 0..<times { try body() }
        let after = HostMemory.outstanding
        guard after == before else {
            throw ValidationFailure("after \(times) create/destroy, \(after.bytes - before.bytes) bytes in "
                                    + "\(after.blocks - before.blocks) host->alloc block(s) were not freed")
        }
        return "\(times)× create/destroy; host->alloc balance 0"
    }

    // MARK: - helpers shared by the kind checks

    /// n standard-normal floats (Box–Muller), reproducible from rng.
    static func normal(_ n: Int, _ rng: inout SplitMix64) -> [Float] {
        (0..<n).map { _ in
            let u = max(rng.uniform(0, 1), 1e-300), v = rng.uniform(0, 1)
            return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
        }
    }

    static func requireFinite(_ values: [Float], _ what: String) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw ValidationFailure("\(what): value \(values[i]) at index \(i) (of \(values.count)) is not finite")
        }
    }

    /// max |a − b|, NaN when either holds a NaN (so a NaN never passes a tolerance).
    static func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        var m: Float = 0
        for (x, y) in zip(a, b) {
            let d = abs(x - y)
            if d.isNaN { return .nan }
            m = max(m, d)
        }
        return m
    }
}

/// Collects the rows of one plugin's checks.
struct Recorder {
    let library: String
    let plugin: String
    var checks: [ValidationReport.Check] = []

    init(library: String, plugin: String) {
        self.library = library
        self.plugin = plugin
    }

    mutating func run(_ check: String, _ body: () throws -> String) {
        _ = value(check) { ((), try body()) }
    }

    /// Runs a check that also yields a value for later checks; nil when it failed.
    mutating func value<T>(_ check: String, _ body: () throws -> (T, String)) -> T? {
        do {
            let (v, detail) = try body()
            checks.append(.init(library: library, plugin: plugin, check: check, passed: true, detail: detail))
            return v
        } catch {
            checks.append(.init(library: library, plugin: plugin, check: check, passed: false,
                                detail: String(describing: error)))
            return nil
        }
    }
}
