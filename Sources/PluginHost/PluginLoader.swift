// PluginHost — dlopen a library, check its entry and descriptors (entry.h), and keep the result for the process.
//
// A library is loaded at most once per process (keyed by its real path): init is called once, deinit once at
// exit (atexit), and nothing is ever dlclosed (a Swift runtime cannot be unloaded). Every failure is a reason
// string on the library's record; nothing here traps on a bad library.
import Foundation
import PluginABI

enum PluginLoader {
    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var cache: [String: LibraryRecord] = [:]
    /// deinit functions of successfully initialised libraries, called in reverse order at exit.
    nonisolated(unsafe) private static var deinits: [@convention(c) () -> Void] = []
    nonisolated(unsafe) private static var atexitRegistered = false

    /// Loads `path` (once per process) and returns its record.
    static func load(_ path: String) -> LibraryRecord {
        let absolute = absolutePath(path)
        let key = URL(fileURLWithPath: absolute).resolvingSymlinksInPath().path
        lock.lock()
        defer { lock.unlock() }
        if let r = cache[key] { return r }
        var record = LibraryRecord(path: absolute, plugins: [], problems: [])
        do {
            record.plugins = try open(absolute, problems: &record.problems)
        } catch let PluginError.libraryFailed(_, reason) {
            record.problems.append(reason)
        } catch {
            record.problems.append(String(describing: error))
        }
        cache[key] = record
        return record
    }

    static func absolutePath(_ path: String) -> String {
        let expanded = NSString(string: path).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL.path }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent(expanded).standardizedFileURL.path
    }

    private static func fail(_ path: String, _ reason: String) -> PluginError {
        .libraryFailed(path: path, reason: reason)
    }

    private static func open(_ path: String, problems: inout [String]) throws -> [PluginInfo] {
        // The path always contains '/', so dlopen never searches LD_LIBRARY_PATH for it.
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            var why = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            if why.hasPrefix(path + ": ") { why.removeFirst(path.count + 2) }
            throw fail(path, "not a loadable shared object: \(why)")
        }
        guard let symbol = dlsym(handle, LDMP_ENTRY_SYMBOL) else {
            for major in (2...9).reversed() where dlsym(handle, "ldmprobe_entry_v\(major)") != nil {
                throw fail(path, "built for ABI major \(major) (exports ldmprobe_entry_v\(major)); this host "
                           + "supports \(LDMP_ABI_VERSION_MAJOR) — rebuild the plugin against these headers")
            }
            throw fail(path, "no entry symbol \(LDMP_ENTRY_SYMBOL) (not an ldmprobe plugin)")
        }
        let entryFn = unsafeBitCast(symbol, to: ldmp_entry_fn.self)
        guard let entryPtr = entryFn() else { throw fail(path, "\(LDMP_ENTRY_SYMBOL)() returned NULL") }
        let raw = UnsafeRawPointer(entryPtr)
        let size = Int(raw.load(as: UInt32.self))
        let abiOffset = MemoryLayout<ldmp_entry>.offset(of: \ldmp_entry.abi)!
        guard size >= abiOffset + MemoryLayout<ldmp_version>.size else {
            throw fail(path, "entry struct_size \(size) is too small to hold its ABI version")
        }
        let abi = raw.load(fromByteOffset: abiOffset, as: ldmp_version.self)
        guard abi.major == LDMP_ABI_VERSION_MAJOR else {
            throw fail(path, "ABI major \(abi.major), host supports \(LDMP_ABI_VERSION_MAJOR)")
        }
        guard size >= ABIMinimum.entry else {
            throw fail(path, "entry struct_size \(size) < \(ABIMinimum.entry) (sizeof ldmp_entry in ABI 1.0)")
        }
        let entry = entryPtr.pointee
        guard let initFn = entry.`init`, let deinitFn = entry.deinit, let countFn = entry.plugin_count,
              let describeFn = entry.describe else {
            throw fail(path, "entry has a NULL function (init, deinit, plugin_count and describe are required)")
        }

        let libName = libraryName(path)
        let host = HostServices.makeHost(name: libName)
        _ = HostServices.takeLastError()
        let status = path.withCString { initFn(host, $0) }
        let message = HostServices.takeLastError()
        guard status == Int32(bitPattern: LDMP_OK.rawValue) else {
            throw fail(path, "init failed (\(statusName(status))): \(message.isEmpty ? "no message" : message)")
        }
        registerDeinit(deinitFn)

        let count = countFn()
        guard count <= 4096 else { throw fail(path, "plugin_count() = \(count) is implausible") }
        var plugins: [PluginInfo] = []
        for i in 0..<count {
            do {
                guard let desc = describeFn(i) else {
                    throw DescriptorProblem("describe(\(i)) returned NULL")
                }
                let info = try DescriptorValidator.validate(desc, abi: abi, library: path)
                if plugins.contains(where: { $0.kind == info.kind && $0.name == info.name }) {
                    throw DescriptorProblem("duplicate \(info.label) in one library")
                }
                plugins.append(info)
            } catch let p as DescriptorProblem {
                problems.append("malformed descriptor #\(i): \(p.reason)")
            }
        }
        if count == 0 { problems.append("library declares no plugins (plugin_count() = 0)") }
        return plugins
    }

    /// "libDDIMSampler.so" → "DDIMSampler".
    static func libraryName(_ path: String) -> String {
        var name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if name.hasPrefix("lib") && name.count > 3 { name.removeFirst(3) }
        return name
    }

    private static func registerDeinit(_ fn: @escaping @convention(c) () -> Void) {
        deinits.append(fn)
        if !atexitRegistered {
            atexitRegistered = true
            atexit { PluginLoader.runDeinits() }
        }
    }

    /// Calls every library's deinit once, newest first. Runs at process exit.
    static func runDeinits() {
        lock.lock()
        let fns = deinits
        deinits = []
        lock.unlock()
        for fn in fns.reversed() { fn() }
    }
}

struct DescriptorProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
