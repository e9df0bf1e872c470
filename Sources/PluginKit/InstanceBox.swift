// PluginKit — a Swift class instance as the ABI's opaque instance pointer (ldmp_sampler *, ldmp_probe *, …).
//
//     create:  try InstanceBox.store(DDIM(...), into: out)          // +1 retain, *out = opaque pointer
//     calls:   let s = try InstanceBox.object(sampler, as: DDIM.self) // borrowed, no retain change
//     destroy: InstanceBox.release(sampler)                           // -1; NULL allowed
//
// Swift imports `ldmp_x *` for an opaque C struct as OpaquePointer, so these work for every kind.
import PluginABI

public enum InstanceBox {
    /// Retains `object` and returns it as an opaque pointer; balance with `release`.
    public static func retain<T: AnyObject>(_ object: T) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(object).toOpaque())
    }

    /// Retains `object` and writes it to `out` (the `ldmp_x **out` of create).
    public static func store<T: AnyObject>(_ object: T, into out: UnsafeMutablePointer<OpaquePointer?>?) throws {
        guard let out else { throw PluginKitError.invalidArgument("create: out pointer is NULL") }
        out.pointee = retain(object)
    }

    /// The object behind `pointer`, borrowed. Throws on NULL. The type is trusted: only pass pointers this
    /// plugin made for `T`.
    public static func object<T: AnyObject>(_ pointer: OpaquePointer?, as type: T.Type) throws -> T {
        guard let pointer else { throw PluginKitError.invalidArgument("instance pointer is NULL") }
        return Unmanaged<T>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }

    /// Releases what `retain`/`store` retained. NULL is ignored.
    public static func release(_ pointer: OpaquePointer?) {
        guard let pointer else { return }
        Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).release()
    }
}
