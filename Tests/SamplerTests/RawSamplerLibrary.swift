// SamplerTests — a sampler plugin loaded straight through the C ABI (dlopen + ldmprobe_entry_v1) with a
// minimal ldmp_host that records report_error messages.
//
// The parity tests go through PluginHost like the product; this raw loader checks what the plugin itself does
// when handed values the host would have refused (unknown names, out-of-range values, calls out of order).
import Foundation
import PluginABI
#if canImport(Glibc)
import Glibc
#endif

/// The last message a plugin reported (report_error is called on the failing call's thread).
nonisolated(unsafe) var lastReportedError = ""

/// One host table for every test (plugins keep the pointer from init).
let testHost: UnsafePointer<ldmp_host> = {
    var h = ldmp_host()
    h.struct_size = UInt32(MemoryLayout<ldmp_host>.size)
    h.abi = ldmp_version(major: LDMP_ABI_VERSION_MAJOR, minor: LDMP_ABI_VERSION_MINOR, patch: 0)
    h.host_version = UnsafePointer(strdup("sampler-tests"))
    h.log = { _, _, _ in }
    h.progress = { _, _, _, _ in }
    h.report_error = { _, msg in lastReportedError = msg.map { String(cString: $0) } ?? "" }
    h.alloc = { _, size in calloc(1, Int(size)) }
    h.free = { _, p in free(p) }
    let p = UnsafeMutablePointer<ldmp_host>.allocate(capacity: 1)
    p.initialize(to: h)
    return UnsafePointer(p)
}()

struct RawLibraryError: Error, CustomStringConvertible {
    let description: String
}

/// A loaded plugin library holding one sampler.
final class RawSamplerLibrary {
    let path: String
    let desc: ldmp_plugin_desc
    let vtable: ldmp_sampler_vtable

    nonisolated(unsafe) static var loaded: [String: RawSamplerLibrary] = [:]

    /// The build's product folder: the directory of the running test executable (never dlclose a Swift plugin).
    static var productDirectory: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // On Linux the test bundle is an executable `<Package>PackageTests.xctest` in the product folder.
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("libDDIMSampler.so").path) { return dir }
        return URL(fileURLWithPath: Bundle.main.bundlePath)
    }

    static func load(_ product: String) throws -> RawSamplerLibrary {
        if let l = loaded[product] { return l }
        let l = try RawSamplerLibrary(path: productDirectory.appendingPathComponent("lib\(product).so").path)
        loaded[product] = l
        return l
    }

    init(path: String) throws {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw RawLibraryError(description: "dlopen \(path): \(String(cString: dlerror()))")
        }
        guard let sym = dlsym(handle, LDMP_ENTRY_SYMBOL) else {
            throw RawLibraryError(description: "\(path): no \(LDMP_ENTRY_SYMBOL)")
        }
        let entryFn = unsafeBitCast(sym, to: ldmp_entry_fn.self)
        let entry = entryFn()!.pointee
        guard entry.struct_size == MemoryLayout<ldmp_entry>.size, entry.abi.major == LDMP_ABI_VERSION_MAJOR else {
            throw RawLibraryError(description: "\(path): ABI mismatch")
        }
        guard entry.`init`(testHost, path) == LDMP_OK.code else {
            throw RawLibraryError(description: "\(path): init failed: \(lastReportedError)")
        }
        guard entry.plugin_count() == 1, let d = entry.describe(0) else {
            throw RawLibraryError(description: "\(path): expected exactly one plugin")
        }
        desc = d.pointee
        guard desc.kind == LDMP_KIND_SAMPLER.rawValue, let vt = desc.vtable else {
            throw RawLibraryError(description: "\(path): not a sampler")
        }
        vtable = vt.assumingMemoryBound(to: ldmp_sampler_vtable.self).pointee
    }

    var name: String { String(cString: desc.name) }

    /// The declared parameters: (name, type, default text).
    var params: [(name: String, type: ldmp_param_type, defaultValue: String)] {
        (0..<Int(desc.param_count)).map { i in
            let p = desc.params![i]
            return (String(cString: p.name), ldmp_param_type(p.type), p.default_value.map { String(cString: $0) } ?? "")
        }
    }

    /// Creates an instance the way the host does: every declared parameter in order, defaults filled in,
    /// `is_set` for those in `values`; names not declared are passed too (so the plugin's own check is tested).
    func create(params values: [String: String], config: String?) throws -> RawSamplerInstance {
        var names: [String] = []
        var list: [ldmp_param_value] = []
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        func add(_ name: String, _ type: ldmp_param_type, _ text: String, set: Bool) {
            var v = ldmp_param_value()
            v.struct_size = UInt32(MemoryLayout<ldmp_param_value>.size)
            let n = strdup(name)!, s = strdup(text)!
            strings += [n, s]
            v.name = UnsafePointer(n)
            v.type = type.rawValue
            v.is_set = set ? 1 : 0
            switch type {
            case LDMP_PARAM_BOOL: v.int_value = (text == "true" || text == "1") ? 1 : 0
            case LDMP_PARAM_INT: v.int_value = Int64(text) ?? 0
            case LDMP_PARAM_FLOAT: v.float_value = Double(text) ?? .nan
            default: break
            }
            v.string_value = UnsafePointer(s)
            list.append(v)
            names.append(name)
        }
        for p in params { add(p.name, p.type, values[p.name] ?? p.defaultValue, set: values[p.name] != nil) }
        for (k, v) in values.sorted(by: { $0.key < $1.key }) where !names.contains(k) {
            add(k, LDMP_PARAM_STRING, v, set: true)
        }
        var out: OpaquePointer?
        lastReportedError = ""
        let status = list.withUnsafeBufferPointer { buf in
            if let config {
                return config.withCString { vtable.create(testHost, buf.baseAddress, UInt32(buf.count), $0, &out) }
            }
            return vtable.create(testHost, buf.baseAddress, UInt32(buf.count), nil, &out)
        }
        guard status == LDMP_OK.code, let out else {
            throw RawCallError(status: status, message: lastReportedError)
        }
        return RawSamplerInstance(vtable: vtable, pointer: out)
    }
}

struct RawCallError: Error, CustomStringConvertible {
    let status: Int32
    let message: String
    var description: String { "status \(status): \(message)" }
}

/// One sampler instance; tensors are F32 [shape] over Swift arrays.
final class RawSamplerInstance {
    let vtable: ldmp_sampler_vtable
    let pointer: OpaquePointer

    init(vtable: ldmp_sampler_vtable, pointer: OpaquePointer) {
        self.vtable = vtable
        self.pointer = pointer
    }

    deinit { vtable.destroy(pointer) }

    private func check(_ status: Int32) throws {
        guard status == LDMP_OK.code else { throw RawCallError(status: status, message: lastReportedError) }
    }

    func setTimesteps(_ n: UInt32) throws { try check(vtable.set_timesteps(pointer, n)) }
    var callCount: Int { Int(vtable.call_count(pointer)) }
    func timestep(_ call: Int) -> Double { vtable.timestep(pointer, UInt32(call)) }
    var initNoiseSigma: Double { vtable.init_noise_sigma(pointer) }
    var needsNoise: Bool { vtable.needs_noise(pointer) != 0 }

    static func tensor(_ p: UnsafeMutableBufferPointer<Float>, _ shape: [Int]) -> ldmp_tensor {
        var t = ldmp_tensor()
        t.struct_size = UInt32(MemoryLayout<ldmp_tensor>.size)
        t.dtype = LDMP_DTYPE_F32.rawValue
        t.rank = UInt32(shape.count)
        var strides = [Int](repeating: 1, count: shape.count)
        for k in stride(from: shape.count - 2, through: 0, by: -1) { strides[k] = strides[k + 1] * shape[k + 1] }
        withUnsafeMutableBytes(of: &t.shape) { raw in
            for (k, n) in shape.enumerated() { raw.storeBytes(of: Int64(n), toByteOffset: k * 8, as: Int64.self) }
        }
        withUnsafeMutableBytes(of: &t.strides) { raw in
            for (k, s) in strides.enumerated() { raw.storeBytes(of: Int64(s), toByteOffset: k * 8, as: Int64.self) }
        }
        t.data = UnsafeMutableRawPointer(p.baseAddress)
        return t
    }

    func scaleModelInput(_ call: Int, _ x: inout [Float], shape: [Int]) throws {
        try x.withUnsafeMutableBufferPointer { b in
            var t = RawSamplerInstance.tensor(b, shape)
            try check(vtable.scale_model_input(pointer, UInt32(call), &t))
        }
    }

    /// One step; returns (prev_sample, pred_original).
    func step(_ call: Int, modelOutput: [Float], sample: [Float], noise: [Float]?, shape: [Int],
              sampleShape: [Int]? = nil) throws -> (prev: [Float], x0: [Float]) {
        var eps = modelOutput, x = sample, z = noise ?? [], prev = [Float](repeating: .nan, count: modelOutput.count)
        var x0 = [Float](repeating: .nan, count: modelOutput.count)
        try eps.withUnsafeMutableBufferPointer { e in
            try x.withUnsafeMutableBufferPointer { s in
                try z.withUnsafeMutableBufferPointer { n in
                    try prev.withUnsafeMutableBufferPointer { p in
                        try x0.withUnsafeMutableBufferPointer { o in
                            var te = RawSamplerInstance.tensor(e, shape), ts = RawSamplerInstance.tensor(s, sampleShape ?? shape)
                            var tn = RawSamplerInstance.tensor(n, shape), tp = RawSamplerInstance.tensor(p, shape)
                            var to = RawSamplerInstance.tensor(o, shape)
                            let status = noise == nil
                                ? vtable.step(pointer, UInt32(call), &te, &ts, nil, &tp, &to)
                                : vtable.step(pointer, UInt32(call), &te, &ts, &tn, &tp, &to)
                            try check(status)
                        }
                    }
                }
            }
        }
        return (prev, x0)
    }
}
