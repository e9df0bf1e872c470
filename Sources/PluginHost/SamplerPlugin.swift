// PluginHost — a sampler plugin with its validated parameters; makes one SamplerInstance per run (sampler.h).
//
//     let ddim = try registry.sampler(spec: "ddim:eta=0.0")
//     let s = try ddim.instantiate(schedulerConfigJSON: json)   // nil: SD v1.4's config
//     try s.setTimesteps(50)
//     var x = noise.map { $0 * Float(s.initNoiseSigma) }
//     for call in 0..<s.callCount { … let r = try s.step(call: call, modelOutput: eps, sample: x, shape: shape); x = r.prevSample }
import PluginABI

public final class SamplerPlugin: @unchecked Sendable {
    public let info: PluginInfo
    public let parameters: BoundParameters
    let vtable: UnsafePointer<ldmp_sampler_vtable>

    init(info: PluginInfo, parameters: BoundParameters) {
        self.info = info
        self.parameters = parameters
        vtable = info.vtable.assumingMemoryBound(to: ldmp_sampler_vtable.self)
    }

    public var name: String { info.name }
    /// The capabilities that hold with these parameters (plugin.h).
    public var capabilities: Capability { Capability.effective(info, parameters) }
    /// True when step depends on earlier calls (LDMP_CAP_SAMPLER_STATEFUL): calls must come in order.
    public var isStateful: Bool { capabilities.contains(.samplerStateful) }

    /// The plugin's vtable read up to its struct_size; fields it does not have (appended later) are NULL.
    static func vtableCopy(_ raw: UnsafeRawPointer) -> ldmp_sampler_vtable {
        var v = ldmp_sampler_vtable()
        let n = min(Int(raw.load(as: UInt32.self)), MemoryLayout<ldmp_sampler_vtable>.size)
        withUnsafeMutableBytes(of: &v) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: n)) }
        return v
    }

    /// True when the plugin has the img2img functions (set_begin_call and add_noise, appended to sampler.h).
    public var supportsImg2Img: Bool {
        let v = Self.vtableCopy(UnsafeRawPointer(vtable))
        return v.set_begin_call != nil && v.add_noise != nil
    }

    /// Creates a fresh instance (call once per pipeline run: samplers keep state between steps).
    public func instantiate(schedulerConfigJSON: String? = nil) throws -> SamplerInstance {
        var out: OpaquePointer?
        let create = vtable.pointee.create!
        try HostServices.check(info.name, "create") {
            parameters.withCValues { values, count in
                if let json = schedulerConfigJSON {
                    return json.withCString { create(info.host, values, count, $0, &out) }
                }
                return create(info.host, values, count, nil, &out)
            }
        }
        guard let out else {
            throw PluginError.callFailed(plugin: info.name, function: "create", status: 0,
                                         message: "returned LDMP_OK but no instance")
        }
        return SamplerInstance(plugin: self, handle: out)
    }
}
