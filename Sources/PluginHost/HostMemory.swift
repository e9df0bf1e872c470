// PluginHost — host->alloc / host->free (host.h): zeroed memory a plugin owns and returns, counted so that
// validate-plugin can tell whether destroy gave back what create and the calls took.
//
// Each block carries a 16-byte header holding its size (16 keeps the caller's pointer aligned for any type).
import Foundation
import PluginABI

public enum HostMemory {
    private static let header = 16
    private static let lock = NSLock()
    nonisolated(unsafe) private static var bytes: Int64 = 0
    nonisolated(unsafe) private static var blocks: Int64 = 0

    /// Bytes and blocks handed out by alloc and not yet freed, over all plugins.
    public static var outstanding: (bytes: Int64, blocks: Int64) {
        lock.lock()
        defer { lock.unlock() }
        return (bytes, blocks)
    }

    static func allocate(_ host: UnsafePointer<ldmp_host>?, _ size: UInt64) -> UnsafeMutableRawPointer? {
        guard size > 0, size <= UInt64(Int.max - header), let raw = calloc(1, Int(size) + header) else {
            HostServices.setLastError("\(HostServices.name(of: host)): host alloc of \(size) bytes failed"
                                      + (size == 0 ? " (size 0)" : ""))
            return nil
        }
        raw.storeBytes(of: size, as: UInt64.self)
        lock.lock()
        bytes += Int64(size)
        blocks += 1
        lock.unlock()
        return raw + header
    }

    static func free(_ p: UnsafeMutableRawPointer?) {
        guard let p else { return }
        let raw = p - header
        let size = raw.load(as: UInt64.self)
        lock.lock()
        bytes -= Int64(size)
        blocks -= 1
        lock.unlock()
        Foundation.free(raw)
    }
}
