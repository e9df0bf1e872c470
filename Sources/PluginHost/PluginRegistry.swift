// PluginHost — every plugin this process can use, found in the usual places.
//
//     let registry = try PluginRegistry.discover(extraPaths: options.pluginPaths)
//     let ddim = try registry.sampler(spec: "ddim:eta=0.0")      // validated parameters
//     let s = try ddim.instantiate()                               // one instance per run
//
// Search order (the first plugin of a kind and name wins; later ones are reported as shadowed):
//   1. `extraPaths` (--plugin-path DIR, repeatable; a path may also name a library file),
//   2. LDMPROBE_PLUGIN_PATH (colon-separated directories),
//   3. the folder of the running executable (SwiftPM's product folder, where the lib*.so plugins are built).
// Each directory is scanned for lib*.so (the platform's library suffix: PluginRegistry.librarySuffix).
import Foundation
import PluginABI

public final class PluginRegistry: @unchecked Sendable {
    /// Loaded plugins, in search order.
    public let plugins: [PluginInfo]
    /// Libraries (or descriptors) that could not be used, with the reason.
    public let failures: [(path: String, reason: String)]
    /// Directories searched, in order.
    public let searchedDirectories: [String]

    init(plugins: [PluginInfo], failures: [(path: String, reason: String)], searched: [String]) {
        self.plugins = plugins
        self.failures = failures
        self.searchedDirectories = searched
    }

    /// Finds and loads every plugin library. Throws only when an explicit extra path does not exist.
    public static func discover(extraPaths: [String] = [], useEnvironment: Bool = true,
                                useExecutableFolder: Bool = true) throws -> PluginRegistry {
        var dirs: [String] = []
        var files: [String] = []
        let fm = FileManager.default
        for p in extraPaths {
            var isDir: ObjCBool = false
            let abs = PluginLoader.absolutePath(p)
            guard fm.fileExists(atPath: abs, isDirectory: &isDir) else {
                throw PluginError.libraryFailed(path: abs, reason: "no such file or directory (from --plugin-path)")
            }
            if isDir.boolValue { dirs.append(abs) } else { files.append(abs) }
        }
        if useEnvironment, let env = ProcessInfo.processInfo.environment["LDMPROBE_PLUGIN_PATH"] {
            dirs += env.split(separator: ":").map { PluginLoader.absolutePath(String($0)) }
        }
        if useExecutableFolder, let exe = executableDirectory() { dirs.append(exe) }

        var seenDirs = Set<String>()
        var searched: [String] = []
        for d in dirs where seenDirs.insert(d).inserted {
            searched.append(d)
            files += libraries(in: d)
        }
        var seenFiles = Set<String>()
        var plugins: [PluginInfo] = []
        var failures: [(String, String)] = []
        for f in files where seenFiles.insert(URL(fileURLWithPath: f).resolvingSymlinksInPath().path).inserted {
            let record = PluginLoader.load(f)
            failures += record.problems.map { (record.path, $0) }
            for p in record.plugins {
                if let first = plugins.first(where: { $0.kind == p.kind && $0.name == p.name }) {
                    failures.append((record.path, "\(p.label) ignored: shadowed by \(first.library)"))
                } else {
                    plugins.append(p)
                }
            }
        }
        return PluginRegistry(plugins: plugins, failures: failures, searched: searched)
    }

    /// The platform's shared-library suffix (".so"; ".dylib" on Apple platforms, which are not built or tested).
    public static var librarySuffix: String {
        #if canImport(Darwin)
        return ".dylib"
        #else
        return ".so"
        #endif
    }

    /// lib*<librarySuffix> in `dir`, sorted by name.
    public static func libraries(in dir: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.filter { $0.hasPrefix("lib") && $0.hasSuffix(librarySuffix) }
            .sorted().map { URL(fileURLWithPath: dir).appendingPathComponent($0).path }
    }

    /// The folder holding the running executable (the test runner's folder under `swift test`).
    public static func executableDirectory() -> String? {
        #if os(Linux)
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
        guard let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        #endif
        var dir = exe.deletingLastPathComponent()
        // An .xctest bundle on macOS: Foo.xctest/Contents/MacOS/Foo → the folder holding Foo.xctest.
        if dir.path.hasSuffix(".xctest/Contents/MacOS") {
            dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return dir.path
    }

    /// The plugin of `kind` named `name`.
    public func plugin(_ kind: PluginKind, named name: String) throws -> PluginInfo {
        if let p = plugins.first(where: { $0.kind == kind && $0.name == name }) { return p }
        throw PluginError.notFound(kind: kind.rawValue, name: name,
                                   available: plugins.filter { $0.kind == kind }.map(\.name),
                                   failures: failures.count)
    }

    /// Resolves a spec (a name, or a library path) to a plugin of `kind` and its validated parameters.
    public func resolve(_ kind: PluginKind, spec text: String) throws -> (PluginInfo, BoundParameters) {
        let spec = try PluginSpec.parse(text)
        let info: PluginInfo
        if spec.isPath {
            let record = PluginLoader.load(spec.name)
            let ofKind = record.plugins.filter { $0.kind == kind }
            guard ofKind.count == 1 else {
                let why = ofKind.isEmpty
                    ? "no \(kind.rawValue) plugin in it" + (record.problems.isEmpty ? ""
                        : " (" + record.problems.joined(separator: "; ") + ")")
                    : "it holds several \(kind.rawValue) plugins (\(ofKind.map(\.name).joined(separator: ", "))); "
                        + "add its folder with --plugin-path and use the name"
                throw PluginError.libraryFailed(path: record.path, reason: why)
            }
            info = ofKind[0]
        } else {
            info = try plugin(kind, named: spec.name)
        }
        return (info, try ParamBinder.bind(info, settings: spec.settings))
    }

    public func sampler(spec: String) throws -> SamplerPlugin {
        let (info, params) = try resolve(.sampler, spec: spec)
        return SamplerPlugin(info: info, parameters: params)
    }

    public func probe(spec: String) throws -> ProbePlugin {
        let (info, params) = try resolve(.probe, spec: spec)
        return ProbePlugin(info: info, parameters: params)
    }

    public func wordMap(spec: String) throws -> WordMapPlugin {
        let (info, params) = try resolve(.wordmap, spec: spec)
        return WordMapPlugin(info: info, parameters: params)
    }

    public func classifier(spec: String) throws -> ClassifierPlugin {
        let (info, params) = try resolve(.classifier, spec: spec)
        return ClassifierPlugin(info: info, parameters: params)
    }

    public func labeler(spec: String) throws -> LabelerPlugin {
        let (info, params) = try resolve(.labeler, spec: spec)
        return LabelerPlugin(info: info, parameters: params)
    }
}
