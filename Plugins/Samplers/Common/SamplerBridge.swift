// SamplerSupport — the ldmp_sampler_vtable (sampler.h) for any `Sampler`, so each plugin writes only create.
//
//     static let vtable = SamplerBridge.vtable(create: { host, params, count, json, out in
//         SamplerBridge.create(host, params, count, json, out, sampler: "ddim", declared: DDIMPlugin.params) {
//             p, config in try DDIM(params: p, configJSON: config)
//         }
//     })
//
// Every entry validates its call index and tensors and turns thrown errors into a status plus report_error;
// nothing traps across the ABI.
import PluginABI
import PluginKit

/// The opaque ldmp_sampler: a retained box around the Swift sampler.
final class SamplerHandle {
    let sampler: any Sampler
    let name: String
    /// The host handed to create: errors of this instance's calls are reported through it.
    let host: UnsafePointer<ldmp_host>?
    var planned = false
    init(_ sampler: any Sampler, name: String, host: UnsafePointer<ldmp_host>?) {
        self.sampler = sampler
        self.name = name
        self.host = host
    }
}

public enum SamplerBridge {
    public typealias CreateFn = @convention(c) (UnsafePointer<ldmp_host>?, UnsafePointer<ldmp_param_value>?, UInt32,
                                               UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32

    /// Runs `body`, mapping SamplerError to its PluginKit status.
    static func run(_ host: UnsafePointer<ldmp_host>? = nil, _ body: () throws -> Void) -> Int32 {
        PluginCall.run(host) {
            do { try body() } catch let e as SamplerError { throw e.pluginError }
        }
    }

    /// The body of a plugin's create: checks the parameter names against `declared`, builds the sampler with
    /// `make(params, config JSON or nil)` and stores it in *out.
    public static func create(_ host: UnsafePointer<ldmp_host>?, _ params: UnsafePointer<ldmp_param_value>?,
                              _ count: UInt32, _ json: UnsafePointer<CChar>?,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?, sampler name: String,
                              declared: [ParamSpec],
                              _ make: (ParamValues, String?) throws -> any Sampler) -> Int32 {
        run(host) {
            let p = ParamValues(params, count: count)
            let known = Set(declared.map(\.name))
            for n in p.names where !known.contains(n) {
                throw SamplerError.invalidValue(sampler: name, key: n,
                    message: "unknown parameter (valid: \(declared.map(\.name).joined(separator: ", ")))")
            }
            let config = json.map { String(cString: $0) }
            let s = try make(p, config)
            try InstanceBox.store(SamplerHandle(s, name: name, host: host), into: out)
        }
    }

    static func handle(_ p: OpaquePointer?) throws -> SamplerHandle {
        try InstanceBox.object(p, as: SamplerHandle.self)
    }

    /// Runs `body` on the instance behind `p`, reporting errors through the host it was created with.
    static func withHandle(_ p: OpaquePointer?, _ body: (SamplerHandle) throws -> Void) -> Int32 {
        let host = p == nil ? nil : (try? handle(p))?.host
        return run(host) { try body(try handle(p)) }
    }

    static func checkCall(_ h: SamplerHandle, _ call: UInt32) throws {
        guard h.planned else {
            throw SamplerError.callOrder(sampler: h.name, message: "call \(call) before set_timesteps")
        }
        guard Int(call) < h.sampler.callCount else {
            throw SamplerError.callOrder(sampler: h.name,
                                         message: "call \(call) out of range (call_count \(h.sampler.callCount))")
        }
    }

    /// The vtable with `create` from the plugin and the rest shared.
    public static func vtable(create: CreateFn) -> UnsafePointer<ldmp_sampler_vtable> {
        StaticStorage.store(ldmp_sampler_vtable(
            struct_size: StaticStorage.size(of: ldmp_sampler_vtable.self),
            create: create,
            destroy: { InstanceBox.release($0) },
            set_timesteps: { p, steps in
                SamplerBridge.withHandle(p) { h in
                    h.planned = false
                    guard steps >= 1 else {
                        throw SamplerError.invalidValue(sampler: h.name, key: "num_inference_steps",
                                                        message: "must be ≥ 1, got \(steps)")
                    }
                    try h.sampler.setTimesteps(Int(steps))
                    h.planned = true
                }
            },
            call_count: { p in
                guard let h = try? SamplerBridge.handle(p), h.planned else { return 0 }
                return UInt32(h.sampler.callCount)
            },
            timestep: { p, call in
                guard let h = try? SamplerBridge.handle(p), h.planned,
                      Int(call) < h.sampler.callCount else { return .nan }
                return h.sampler.timestep(Int(call))
            },
            init_noise_sigma: { p in
                guard let h = try? SamplerBridge.handle(p) else { return .nan }
                return h.sampler.initNoiseSigma
            },
            scale_model_input: { p, call, sample in
                SamplerBridge.withHandle(p) { h in
                    try SamplerBridge.checkCall(h, call)
                    let x = try TensorView.mutableFloats(sample, "sample")
                    try h.sampler.scaleModelInput(call: Int(call), x.buffer)
                }
            },
            step: { p, call, modelOutput, sample, noise, prevSample, predOriginal in
                SamplerBridge.withHandle(p) { h in
                    try SamplerBridge.checkCall(h, call)
                    let eps = try TensorView.floats(modelOutput, "model_output")
                    let x = try TensorView.floats(sample, "sample", shape: eps.shape)
                    let prev = try TensorView.mutableFloats(prevSample, "prev_sample", shape: eps.shape)
                    let x0 = try predOriginal.map { try TensorView.mutableFloats($0, "pred_original", shape: eps.shape) }
                    let z = try noise.map { try TensorView.floats($0, "noise", shape: eps.shape) }
                    if h.sampler.needsNoise && z == nil {
                        throw SamplerError.invalidValue(sampler: h.name, key: "noise",
                            message: "step needs fresh standard-normal noise (needs_noise is 1) but got NULL")
                    }
                    try h.sampler.step(call: Int(call), modelOutput: UnsafeBufferPointer(eps.buffer),
                                       sample: UnsafeBufferPointer(x.buffer),
                                       noise: z.map { UnsafeBufferPointer($0.buffer) },
                                       prevSample: prev.buffer, predOriginal: x0?.buffer)
                }
            },
            needs_noise: { p in
                guard let h = try? SamplerBridge.handle(p) else { return 0 }
                return h.sampler.needsNoise ? 1 : 0
            },
            set_begin_call: { p, call in
                SamplerBridge.withHandle(p) { h in
                    try SamplerBridge.checkCall(h, call)
                    try h.sampler.setBeginCall(Int(call))
                }
            },
            add_noise: { p, call, original, noise, noisy in
                SamplerBridge.withHandle(p) { h in
                    try SamplerBridge.checkCall(h, call)
                    let x0 = try TensorView.floats(original, "original")
                    let z = try TensorView.floats(noise, "noise", shape: x0.shape)
                    let out = try TensorView.mutableFloats(noisy, "noisy", shape: x0.shape)
                    h.sampler.addNoise(call: Int(call), original: UnsafeBufferPointer(x0.buffer),
                                       noise: UnsafeBufferPointer(z.buffer), noisy: out.buffer)
                }
            }))
    }
}
