// PluginKit — the host's services (host.h) from Swift.
//
//     LDMHost.current?.info("loaded 13 weights")          // set by PluginEntry at init
//     let host = LDMHost(hostPointer)                      // or from the pointer create() receives
//     host?.progress("fit depth", done: i, total: n)
//     host?.reportError("vgg: weights file missing: …")    // usually done for you by PluginCall.run
//
// Every call checks the host's struct_size before reading a field, so an older host is never read past its end.
import PluginABI

public struct LDMHost: @unchecked Sendable {
    public let pointer: UnsafePointer<ldmp_host>

    public init?(_ pointer: UnsafePointer<ldmp_host>?) {
        guard let pointer else { return nil }
        self.pointer = pointer
    }

    /// The host handed to init (PluginEntry sets it); nil before init or in unit tests without a host.
    nonisolated(unsafe) public static var current: LDMHost?

    /// The host's version string ("0.1.0"), or "" when it has none.
    public var hostVersion: String {
        guard let v = field(\.host_version) ?? nil else { return "" }
        return String(cString: v)
    }

    public func log(_ severity: ldmp_severity, _ message: String) {
        guard let f = field(\.log) ?? nil else { return }
        message.withCString { f(pointer, severity.rawValue, $0) }
    }

    public func debug(_ message: String) { log(LDMP_LOG_DEBUG, message) }
    public func info(_ message: String) { log(LDMP_LOG_INFO, message) }
    public func warning(_ message: String) { log(LDMP_LOG_WARNING, message) }
    public func error(_ message: String) { log(LDMP_LOG_ERROR, message) }

    public func progress(_ stage: String, done: Int, total: Int) {
        guard let f = field(\.progress) ?? nil else { return }
        stage.withCString { f(pointer, $0, Int64(done), Int64(total)) }
    }

    public func reportError(_ message: String) {
        guard let f = field(\.report_error) ?? nil else { return }
        message.withCString { f(pointer, $0) }
    }

    /// Zeroed memory the host counts; the plugin owns it and returns it with `free` (host.h).
    public func alloc(_ size: Int) -> UnsafeMutableRawPointer? {
        guard let f = field(\.alloc) ?? nil else { return nil }
        return f(pointer, UInt64(size))
    }

    public func free(_ p: UnsafeMutableRawPointer?) {
        guard let f = field(\.free) ?? nil else { return }
        f(pointer, p)
    }

    /// Reads one field, or nil when the host's struct is too short to hold it (never read past struct_size).
    private func field<T>(_ key: KeyPath<ldmp_host, T>) -> T? {
        guard let offset = MemoryLayout<ldmp_host>.offset(of: key) else { return nil }
        let size = UnsafeRawPointer(pointer).load(as: UInt32.self)
        guard Int(size) >= offset + MemoryLayout<T>.size else { return nil }
        return UnsafeRawPointer(pointer).load(fromByteOffset: offset, as: T.self)
    }
}
