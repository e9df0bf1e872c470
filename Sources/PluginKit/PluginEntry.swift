// PluginKit — the library's one exported symbol (entry.h), from Swift.
//
//     @_cdecl("ldmprobe_entry_v1")
//     public func ldmprobeEntry() -> UnsafePointer<ldmp_entry> {
//         PluginEntry.entry(plugins: { [DDIMPlugin.descriptor] })
//     }
//
// `plugins` runs once, at init (so descriptors may depend on nothing but static data). `onInit` (optional) runs
// before it with the host and the library's path; throw to fail init. `onDeinit` runs at the host's exit.
// PluginKit is linked statically into every plugin and the version script hides its symbols, so each library
// has its own copy of this state.
import PluginABI

public enum PluginEntry {
    final class State {
        var provider: () -> [PluginDescriptor] = { [] }
        var onInit: ((LDMHost?, String) throws -> Void)?
        var onDeinit: (() -> Void)?
        var descriptors: [PluginDescriptor]?
        var entry: UnsafePointer<ldmp_entry>?
        /// The library's path as handed to init.
        var libraryPath = ""
    }

    nonisolated(unsafe) static let state = State()

    /// The library's path as the host gave it at init ("" before init).
    public static var libraryPath: String { state.libraryPath }

    /// Builds (on the first call) and returns the static ldmp_entry. Later calls return the same pointer.
    public static func entry(plugins: @escaping () -> [PluginDescriptor],
                             onInit: ((LDMHost?, String) throws -> Void)? = nil,
                             onDeinit: (() -> Void)? = nil) -> UnsafePointer<ldmp_entry> {
        if let e = state.entry { return e }
        state.provider = plugins
        state.onInit = onInit
        state.onDeinit = onDeinit
        let e = ldmp_entry(
            struct_size: StaticStorage.size(of: ldmp_entry.self),
            abi: ldmp_version(major: LDMP_ABI_VERSION_MAJOR, minor: LDMP_ABI_VERSION_MINOR, patch: 0),
            init: { host, path in
                LDMHost.current = LDMHost(host)
                let p = path.map { String(cString: $0) } ?? ""
                PluginEntry.state.libraryPath = p
                return PluginCall.run(host) {
                    try PluginEntry.state.onInit?(LDMHost(host), p)
                    PluginEntry.state.descriptors = PluginEntry.state.provider()
                }
            },
            deinit: {
                PluginEntry.state.onDeinit?()
                LDMHost.current = nil
            },
            plugin_count: {
                UInt32(PluginEntry.descriptors.count)
            },
            describe: { index in
                let d = PluginEntry.descriptors
                return Int(index) < d.count ? d[Int(index)].pointer : nil
            })
        let stored = StaticStorage.store(e)
        state.entry = stored
        return stored
    }

    static var descriptors: [PluginDescriptor] {
        if let d = state.descriptors { return d }
        let d = state.provider()
        state.descriptors = d
        return d
    }
}
