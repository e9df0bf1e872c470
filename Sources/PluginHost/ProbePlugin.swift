// PluginHost — a probe plugin with its validated parameters; one ProbeInstance per (layer, step, property)
// (probe.h).
//
//     let linear = try registry.probe(spec: "linear:l2=1e-3")
//     let p = try linear.instantiate(ProbeSpec(labelKind: .binary, channels: 320, seed: 0))
//     try p.addExample(activation: a, activationShape: [320, 64, 64], label: m, labelShape: [512, 512])
//     try p.fit()
//     let logits = try p.predict(activation: a, activationShape: [320, 64, 64], height: 512, width: 512) // [2, 512, 512]
import PluginABI

public final class ProbePlugin: @unchecked Sendable {
    public let info: PluginInfo
    public let parameters: BoundParameters
    let vtable: UnsafePointer<ldmp_probe_vtable>

    init(info: PluginInfo, parameters: BoundParameters) {
        self.info = info
        self.parameters = parameters
        vtable = info.vtable.assumingMemoryBound(to: ldmp_probe_vtable.self)
    }

    public var name: String { info.name }
    public var supportsLossGradient: Bool { vtable.pointee.loss_gradient != nil }
    public var supportsMerge: Bool { vtable.pointee.merge != nil }
    /// ABI 1.2: the statistics travel as data (export_state and import_state), for sharded studies.
    public var supportsState: Bool {
        let v = Self.vtableCopy(UnsafeRawPointer(vtable))
        return v.export_state != nil && v.import_state != nil
    }

    /// The vtable, fields past the plugin's struct_size left NULL (a 1.0/1.1 plugin's vtable is shorter).
    static func vtableCopy(_ raw: UnsafeRawPointer) -> ldmp_probe_vtable {
        var v = ldmp_probe_vtable()
        let n = min(Int(raw.load(as: UInt32.self)), MemoryLayout<ldmp_probe_vtable>.size)
        withUnsafeMutableBytes(of: &v) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: n)) }
        return v
    }
    /// The capabilities that hold with these parameters (plugin.h).
    public var capabilities: Capability { Capability.effective(info, parameters) }
    /// True when the probe declares LDMP_CAP_PROBE_ONE_PASS for these parameters: its statistics do not grow
    /// with the examples, so a study may stream activations into it once.
    public var isOnePass: Bool { capabilities.contains(.probeOnePass) }

    public func instantiate(_ spec: ProbeSpec) throws -> ProbeInstance {
        var c = ldmp_probe_spec(struct_size: UInt32(MemoryLayout<ldmp_probe_spec>.size),
                                label_kind: spec.labelKind.cValue, channels: UInt32(spec.channels),
                                outputs: UInt32(spec.outputs), seed: spec.seed)
        var out: OpaquePointer?
        let create = vtable.pointee.create!
        try HostServices.check(info.name, "create") {
            parameters.withCValues { values, count in create(info.host, values, count, &c, &out) }
        }
        guard let out else {
            throw PluginError.callFailed(plugin: info.name, function: "create", status: 0,
                                         message: "returned LDMP_OK but no instance")
        }
        return ProbeInstance(plugin: self, spec: spec, handle: out)
    }
}

