// PluginHost — one sampler instance (sampler.h): create per run, then set_timesteps and step call by call.
import PluginABI

/// One sampler instance. Use from one thread at a time.
public final class SamplerInstance: @unchecked Sendable {
    public let plugin: SamplerPlugin
    let handle: OpaquePointer
    let v: ldmp_sampler_vtable

    init(plugin: SamplerPlugin, handle: OpaquePointer) {
        self.plugin = plugin
        self.handle = handle
        v = SamplerPlugin.vtableCopy(UnsafeRawPointer(plugin.vtable))
    }

    deinit { v.destroy!(handle) }

    private var name: String { plugin.info.name }

    public func setTimesteps(_ steps: Int) throws {
        guard steps > 0, steps <= Int(UInt32.max) else {
            throw PluginError.invalidInput(plugin: name, function: "set_timesteps", reason: "steps \(steps) must be > 0")
        }
        try HostServices.check(name, "set_timesteps") { v.set_timesteps!(handle, UInt32(steps)) }
        // The plugin's plan is checked before the host allocates or loops over it.
        let calls = Int(v.call_count!(handle))
        guard (1...Self.maxCalls(steps)).contains(calls) else {
            throw PluginError.invalidInput(plugin: name, function: "call_count",
                reason: "\(calls) calls for \(steps) steps (valid: 1…\(Self.maxCalls(steps)))")
        }
        plannedCalls = calls
    }

    /// At most this many model calls per plan: samplers make a few calls per step (PNDM: steps + 1, Heun: 2×).
    static func maxCalls(_ steps: Int) -> Int { min(steps, 1_000_000) * 4 + 16 }

    private var plannedCalls = 0

    /// Model calls planned by setTimesteps (PNDM: steps + 1); 0 before it.
    public var callCount: Int { plannedCalls }

    /// Every timestep, one per call.
    public var timesteps: [Double] { (0..<callCount).map { v.timestep!(handle, UInt32($0)) } }

    public func timestep(_ call: Int) throws -> Double {
        try checkCall(call, "timestep")
        return v.timestep!(handle, UInt32(call))
    }

    public var initNoiseSigma: Double { v.init_noise_sigma!(handle) }

    /// True when step needs fresh standard-normal noise with the current parameters (DDIM with eta > 0).
    public var needsNoise: Bool { v.needs_noise!(handle) != 0 }

    /// Scales `sample` in place for `call` (K-LMS divides by √(σ²+1)).
    public func scaleModelInput(call: Int, sample: inout [Float], shape: [Int]) throws {
        try checkCall(call, "scale_model_input")
        try checkCount(sample.count, shape, "sample", "scale_model_input")
        try sample.withUnsafeMutableBufferPointer { buf in
            var t = HostTensor.float(buf.baseAddress, shape)
            try HostServices.check(name, "scale_model_input") { v.scale_model_input!(handle, UInt32(call), &t) }
        }
    }

    /// img2img: starts the denoising at `call` (resets the multistep state). Throws when the plugin predates
    /// set_begin_call/add_noise.
    public func setBeginCall(_ call: Int) throws {
        guard let f = v.set_begin_call, v.add_noise != nil else { throw img2imgUnsupported("set_begin_call") }
        try checkCall(call, "set_begin_call")
        try HostServices.check(name, "set_begin_call") { f(handle, UInt32(call)) }
    }

    /// img2img: `original` (clean latents, `shape`) noised with `noise` to the level at which `call` starts.
    public func addNoise(call: Int, original: [Float], noise: [Float], shape: [Int]) throws -> [Float] {
        guard let f = v.add_noise, v.set_begin_call != nil else { throw img2imgUnsupported("add_noise") }
        try checkCall(call, "add_noise")
        try checkCount(original.count, shape, "original", "add_noise")
        try checkCount(noise.count, shape, "noise", "add_noise")
        // In place: noisy may alias original (sampler.h).
        var out = original, z = noise
        try z.withUnsafeMutableBufferPointer { zb in
            try out.withUnsafeMutableBufferPointer { ob in
                var tz = HostTensor.float(zb.baseAddress, shape)
                var to = HostTensor.float(ob.baseAddress, shape)
                try HostServices.check(name, "add_noise") {
                    withUnsafeMutablePointer(to: &to) { f(handle, UInt32(call), $0, &tz, $0) }
                }
            }
        }
        return out
    }

    private func img2imgUnsupported(_ function: String) -> PluginError {
        PluginError.invalidInput(plugin: name, function: function,
            reason: "this sampler plugin has no set_begin_call/add_noise (built against an older sampler.h), "
                + "so it cannot run img2img; rebuild it or use ddim, pndm or lms")
    }

    /// One step on raw buffers (all `shape`, contiguous F32). `prevSample` may alias `sample`.
    public func step(call: Int, modelOutput: UnsafeBufferPointer<Float>, sample: UnsafeBufferPointer<Float>,
                     noise: UnsafeBufferPointer<Float>?, prevSample: UnsafeMutableBufferPointer<Float>,
                     predOriginal: UnsafeMutableBufferPointer<Float>?, shape: [Int]) throws {
        try checkCall(call, "step")
        try checkCount(modelOutput.count, shape, "model_output", "step")
        try checkCount(sample.count, shape, "sample", "step")
        try checkCount(prevSample.count, shape, "prev_sample", "step")
        if let noise { try checkCount(noise.count, shape, "noise", "step") }
        if let predOriginal { try checkCount(predOriginal.count, shape, "pred_original", "step") }
        if noise == nil && needsNoise {
            throw PluginError.invalidInput(plugin: name, function: "step",
                                           reason: "this sampler needs noise with its parameters (e.g. eta > 0)")
        }
        var eps = HostTensor.float(UnsafeMutablePointer(mutating: modelOutput.baseAddress), shape)
        var x = HostTensor.float(UnsafeMutablePointer(mutating: sample.baseAddress), shape)
        var prev = HostTensor.float(prevSample.baseAddress, shape)
        var n = HostTensor.float(UnsafeMutablePointer(mutating: noise?.baseAddress), shape)
        var x0 = HostTensor.float(predOriginal?.baseAddress, shape)
        try HostServices.check(name, "step") {
            withUnsafeMutablePointer(to: &n) { np in
                withUnsafeMutablePointer(to: &x0) { x0p in
                    v.step!(handle, UInt32(call), &eps, &x, noise == nil ? nil : UnsafePointer(np), &prev,
                            predOriginal == nil ? nil : x0p)
                }
            }
        }
    }

    /// One step on arrays: returns x_{t-1} and, when asked, the predicted x0.
    public func step(call: Int, modelOutput: [Float], sample: [Float], noise: [Float]? = nil, shape: [Int],
                     wantPredOriginal: Bool = false) throws -> (prevSample: [Float], predOriginal: [Float]?) {
        var prev = [Float](repeating: 0, count: sample.count)
        var x0: [Float]? = wantPredOriginal ? [Float](repeating: 0, count: sample.count) : nil
        try modelOutput.withUnsafeBufferPointer { e in
            try sample.withUnsafeBufferPointer { s in
                try prev.withUnsafeMutableBufferPointer { p in
                    func run(_ nz: UnsafeBufferPointer<Float>?) throws {
                        if x0 != nil {
                            try x0!.withUnsafeMutableBufferPointer { o in
                                try step(call: call, modelOutput: e, sample: s, noise: nz, prevSample: p,
                                         predOriginal: o, shape: shape)
                            }
                        } else {
                            try step(call: call, modelOutput: e, sample: s, noise: nz, prevSample: p,
                                     predOriginal: nil, shape: shape)
                        }
                    }
                    if let noise { try noise.withUnsafeBufferPointer { try run($0) } } else { try run(nil) }
                }
            }
        }
        return (prev, x0)
    }

    private func checkCall(_ call: Int, _ function: String) throws {
        let n = callCount
        guard call >= 0 && call < n else {
            throw PluginError.invalidInput(plugin: name, function: function,
                                           reason: "call \(call) out of range 0..<\(n) (setTimesteps first?)")
        }
    }
}

extension SamplerInstance {
    fileprivate func checkCount(_ count: Int, _ shape: [Int], _ what: String, _ function: String) throws {
        try PluginHost.checkCount(count, shape, what, function, plugin: name)
    }
}
