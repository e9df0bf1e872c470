// PluginHost — the ldmp_host table (host.h) handed to plugins: logging, progress, error messages, memory
// (HostMemory), JSON readers (HostJSON).
//
// Each library gets its own ldmp_host at init and each plugin its own at create(), so a log line can name who
// wrote it ("[ddim] …"). report_error stores a per-thread message that the Swift wrappers attach to the
// PluginError they throw (HostServices.takeLastError()).
import Foundation
import PluginABI

public enum HostServices {
    /// Lowest severity written to stderr (DEBUG when LDMPROBE_DEBUG is set).
    nonisolated(unsafe) public static var minimumSeverity: ldmp_severity =
        ProcessInfo.processInfo.environment["LDMPROBE_DEBUG"] == nil ? LDMP_LOG_INFO : LDMP_LOG_DEBUG
    /// The version string plugins see in host_version.
    nonisolated(unsafe) public static var hostVersion = "0.1.0"
    /// When set, progress reports go here instead of stderr (stage, done, total, plugin name).
    nonisolated(unsafe) public static var progressHandler: ((String, Int64, Int64, String) -> Void)?

    private static let lock = NSLock()
    nonisolated(unsafe) private static var lastProgress: [String: Double] = [:]
    private static let errorKey = "ldmprobe.plugin.lastError"

    /// A permanent ldmp_host whose log lines are prefixed with `name`. Never freed (plugins may keep it).
    static func makeHost(name: String) -> UnsafePointer<ldmp_host> {
        let label = strdup(name)
        let version = strdup(hostVersion)
        var h = ldmp_host()
        h.struct_size = UInt32(MemoryLayout<ldmp_host>.size)
        h.abi = ldmp_version(major: LDMP_ABI_VERSION_MAJOR, minor: LDMP_ABI_VERSION_MINOR, patch: 0)
        h.host_version = UnsafePointer(version)
        h.host_data = UnsafeMutableRawPointer(label)
        h.log = { host, severity, msg in HostServices.log(host, ldmp_severity(severity), msg) }
        h.progress = { host, stage, done, total in HostServices.progress(host, stage, done, total) }
        h.report_error = { _, msg in HostServices.setLastError(msg.map { String(cString: $0) } ?? "") }
        h.alloc = { host, size in HostMemory.allocate(host, size) }
        h.free = { _, p in HostMemory.free(p) }
        h.json_number = { host, json, key, out in HostJSON.number(host, json, key, out) }
        h.json_string = { host, json, key, buf, cap, len in HostJSON.string(host, json, key, buf, cap, len) }
        h.json_numbers = { host, json, key, out, cap, n in HostJSON.numbers(host, json, key, out, cap, n) }
        let p = UnsafeMutablePointer<ldmp_host>.allocate(capacity: 1)
        p.initialize(to: h)
        return UnsafePointer(p)
    }

    static func name(of host: UnsafePointer<ldmp_host>?) -> String {
        guard let data = host?.pointee.host_data else { return "plugin" }
        return String(cString: data.assumingMemoryBound(to: CChar.self))
    }

    static func log(_ host: UnsafePointer<ldmp_host>?, _ severity: ldmp_severity, _ msg: UnsafePointer<CChar>?) {
        guard severity.rawValue >= minimumSeverity.rawValue else { return }
        let level: String
        switch severity {
        case LDMP_LOG_DEBUG: level = "debug: "
        case LDMP_LOG_WARNING: level = "warning: "
        case LDMP_LOG_ERROR: level = "error: "
        default: level = ""
        }
        var text = msg.map { String(cString: $0) } ?? ""
        while text.hasSuffix("\n") { text.removeLast() }
        writeStderr("[\(name(of: host))] \(level)\(text)\n")
    }

    static func progress(_ host: UnsafePointer<ldmp_host>?, _ stage: UnsafePointer<CChar>?, _ done: Int64,
                         _ total: Int64) {
        let s = stage.map { String(cString: $0) } ?? ""
        let who = name(of: host)
        if let handler = progressHandler { handler(s, done, total, who); return }
        // At most two lines a second per stage, plus the final one.
        let key = who + "/" + s
        let now = Date().timeIntervalSince1970
        lock.lock()
        let last = lastProgress[key] ?? 0
        let show = now - last >= 0.5 || (total > 0 && done >= total)
        if show { lastProgress[key] = now }
        lock.unlock()
        guard show else { return }
        writeStderr(total > 0 ? "[\(who)] \(s): \(done)/\(total)\n" : "[\(who)] \(s): \(done)\n")
    }

    static func writeStderr(_ text: String) {
        FileHandle.standardError.write(text.data(using: .utf8) ?? Data())
    }

    /// Sets this thread's last plugin error message.
    public static func setLastError(_ message: String) {
        Thread.current.threadDictionary[errorKey] = message
    }

    /// Returns and clears this thread's last plugin error message ("" when none).
    public static func takeLastError() -> String {
        let m = Thread.current.threadDictionary[errorKey] as? String ?? ""
        Thread.current.threadDictionary.removeObject(forKey: errorKey)
        return m
    }

    /// Runs one plugin call: clears the last error, calls, and throws callFailed with the reported message
    /// when the status is not LDMP_OK.
    static func check(_ plugin: String, _ function: String, _ call: () -> Int32) throws {
        _ = takeLastError()
        let status = call()
        let message = takeLastError()
        guard status == Int32(bitPattern: LDMP_OK.rawValue) else {
            throw PluginError.callFailed(plugin: plugin, function: function, status: status, message: message)
        }
    }

    /// A kind's create: `create(&out)` under check, and the instance it made (LDMP_OK without one is an error).
    static func instance(_ plugin: String, _ create: (inout OpaquePointer?) -> Int32) throws -> OpaquePointer {
        var out: OpaquePointer?
        try check(plugin, "create") { create(&out) }
        guard let out else {
            throw PluginError.callFailed(plugin: plugin, function: "create", status: 0,
                                         message: "returned LDMP_OK but no instance")
        }
        return out
    }
}
