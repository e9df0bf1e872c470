// PluginKit — static storage for what a plugin hands the host by pointer.
//
// Descriptors, parameter tables, vtables and their strings must live as long as the library is loaded
// (plugin.h). Libraries are never unloaded, so PluginKit simply allocates them once and never frees them.
//
//     let name = StaticStorage.cString("ddim")                 // UnsafePointer<CChar>, lives forever
//     let vt = StaticStorage.store(ldmp_sampler_vtable(...))   // UnsafePointer<ldmp_sampler_vtable>
//     let arr = StaticStorage.array([a, b, c])                 // UnsafePointer<T>? (nil when empty)
import PluginABI

public enum StaticStorage {
    /// A NUL-terminated copy of `string` that is never freed.
    public static func cString(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8CString)
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        p.initialize(from: utf8, count: utf8.count)
        return UnsafePointer(p)
    }

    /// Like `cString`, but nil stays nil (for optional C strings such as `choices`).
    public static func optionalCString(_ string: String?) -> UnsafePointer<CChar>? {
        string.map(cString)
    }

    /// A copy of `value` at a stable address that is never freed.
    public static func store<T>(_ value: T) -> UnsafePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: 1)
        p.initialize(to: value)
        return UnsafePointer(p)
    }

    /// A copy of `values` at a stable address that is never freed; nil when empty (the ABI's convention).
    public static func array<T>(_ values: [T]) -> UnsafePointer<T>? {
        guard !values.isEmpty else { return nil }
        let p = UnsafeMutablePointer<T>.allocate(capacity: values.count)
        p.initialize(from: values, count: values.count)
        return UnsafePointer(p)
    }

    /// `MemoryLayout<T>.size` as the ABI's `struct_size`.
    public static func size<T>(of type: T.Type) -> UInt32 {
        UInt32(MemoryLayout<T>.size)
    }
}
