// Fuzz target: the plugin descriptor validator. The input is read as a descriptor — kind, name, description,
// up to 8 parameters (name, type, default, range, choices, help), up to 4 actions (name, argument types) —
// laid out as a plugin would lay it out (valid pointers, NUL-terminated strings, non-NULL vtable functions);
// every value in it comes from the input.
import Foundation
import PluginABI

private struct Reader {
    var bytes: [UInt8]
    var pos = 0
    mutating func byte() -> UInt8 { defer { pos += 1 }; return pos < bytes.count ? bytes[pos] : 0 }
    mutating func u32() -> UInt32 { (0..<4).reduce(0) { v, i in v | UInt32(byte()) << (8 * UInt32(i)) } }
    mutating func double() -> Double { Double(bitPattern: (0..<8).reduce(0) { v, i in v | UInt64(byte()) << (8 * UInt64(i)) }) }
    /// A string of 0…31 bytes (a length byte, then the bytes; NUL bytes end it early as in C).
    mutating func string(_ keep: inout [UnsafeMutablePointer<CChar>]) -> UnsafePointer<CChar>? {
        let n = Int(byte())
        if n == 0xff { return nil }
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: n % 32 + 1)
        for i in 0..<(n % 32) { p[i] = CChar(bitPattern: byte()) }
        p[n % 32] = 0
        keep.append(p)
        return UnsafePointer(p)
    }
}

private let dummyFunction: @convention(c) () -> Void = { }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var r = Reader(bytes: Array(UnsafeBufferPointer(start: data, count: size)))
    var strings: [UnsafeMutablePointer<CChar>] = []
    defer { strings.forEach { $0.deallocate() } }

    let paramCount = Int(r.byte() % 9)
    let params = UnsafeMutablePointer<ldmp_param_desc>.allocate(capacity: max(paramCount, 1))
    defer { params.deallocate() }
    for i in 0..<paramCount {
        var p = ldmp_param_desc()
        p.struct_size = UInt32(MemoryLayout<ldmp_param_desc>.size)
        p.name = r.string(&strings)
        p.type = UInt32(r.byte() % 8)
        p.default_value = r.string(&strings)
        p.min_value = r.double()
        p.max_value = r.double()
        p.has_range = Int32(r.byte() % 3)
        p.choices = r.string(&strings)
        p.help = r.string(&strings)
        params[i] = p
    }
    let actionCount = Int(r.byte() % 5)
    let actions = UnsafeMutablePointer<ldmp_action_desc>.allocate(capacity: max(actionCount, 1))
    let argTypes = UnsafeMutablePointer<UInt32>.allocate(capacity: 16 * max(actionCount, 1))
    let argNames = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: 16 * max(actionCount, 1))
    defer { actions.deallocate(); argTypes.deallocate(); argNames.deallocate() }
    for i in 0..<actionCount {
        var a = ldmp_action_desc()
        a.struct_size = UInt32(MemoryLayout<ldmp_action_desc>.size)
        a.name = r.string(&strings)
        a.help = r.string(&strings)
        a.arg_count = UInt32(r.byte() % 17)
        for k in 0..<Int(min(a.arg_count, 16)) {
            argTypes[i * 16 + k] = UInt32(r.byte() % 8)
            argNames[i * 16 + k] = r.string(&strings)
        }
        a.arg_types = UnsafePointer(argTypes + i * 16)
        a.arg_names = UnsafePointer(argNames + i * 16)
        a.fn = r.byte() == 0 ? nil : dummyFunction
        actions[i] = a
    }
    // A vtable of non-NULL functions (the validator checks presence, never calls them) behind its struct_size.
    let vtable = UnsafeMutableRawPointer.allocate(byteCount: 1024, alignment: 16)
    defer { vtable.deallocate() }
    let fn = unsafeBitCast(dummyFunction, to: UInt.self)
    for k in stride(from: 8, to: 1024, by: 8) { vtable.storeBytes(of: r.byte() == 1 ? 0 : fn, toByteOffset: k, as: UInt.self) }
    vtable.storeBytes(of: UInt32(r.byte()) * 8, as: UInt32.self)

    var desc = ldmp_plugin_desc()
    desc.struct_size = UInt32(MemoryLayout<ldmp_plugin_desc>.size)
    desc.kind = UInt32(r.byte() % 5)
    desc.capabilities = UInt64(r.byte() % 16)
    desc.name = r.string(&strings)
    desc.version = ldmp_version(major: r.u32(), minor: r.u32(), patch: r.u32())
    desc.description = r.string(&strings)
    desc.param_count = UInt32(paramCount)
    desc.params = paramCount == 0 && r.byte() == 0 ? nil : UnsafePointer(params)
    desc.action_count = UInt32(actionCount)
    desc.actions = actionCount == 0 ? nil : UnsafePointer(actions)
    desc.vtable = UnsafeRawPointer(vtable)
    _ = try? DescriptorValidator.validate(&desc, abi: ldmp_version(major: 1, minor: 0, patch: 0), library: "fuzz")
    return 0
}
