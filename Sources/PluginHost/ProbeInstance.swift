// PluginHost — one probe instance (probe.h): add_example, fit, predict, weights, gradients, merge.
import PluginABI

/// One probe instance. Use from one thread at a time; distinct instances may run concurrently.
public final class ProbeInstance: @unchecked Sendable {
    public let plugin: ProbePlugin
    public let spec: ProbeSpec
    let handle: OpaquePointer
    let v: ldmp_probe_vtable

    init(plugin: ProbePlugin, spec: ProbeSpec, handle: OpaquePointer) {
        self.plugin = plugin
        self.spec = spec
        self.handle = handle
        v = ProbePlugin.vtableCopy(UnsafeRawPointer(plugin.vtable))
    }

    deinit { v.destroy!(handle) }

    private var name: String { plugin.info.name }

    /// activation F32 [C, h, w]; label F32 [H, W] (binary: 0/1).
    public func addExample(activation: UnsafeBufferPointer<Float>, activationShape: [Int],
                           label: UnsafeBufferPointer<Float>, labelShape: [Int]) throws {
        try checkActivation(activation.count, activationShape, "add_example")
        try checkCount(label.count, labelShape, "label", "add_example", plugin: name)
        var a = HostTensor.float(UnsafeMutablePointer(mutating: activation.baseAddress), activationShape)
        var l = HostTensor.float(UnsafeMutablePointer(mutating: label.baseAddress), labelShape)
        try HostServices.check(name, "add_example") { v.add_example!(handle, &a, &l) }
    }

    public func addExample(activation: [Float], activationShape: [Int], label: [Float], labelShape: [Int]) throws {
        try activation.withUnsafeBufferPointer { a in
            try label.withUnsafeBufferPointer { l in
                try addExample(activation: a, activationShape: activationShape, label: l, labelShape: labelShape)
            }
        }
    }

    public func fit() throws {
        try HostServices.check(name, "fit") { v.fit!(handle) }
    }

    /// Returns F32 [outputs, height, width]: logits (binary) or values (continuous).
    public func predict(activation: UnsafeBufferPointer<Float>, activationShape: [Int], height: Int,
                        width: Int) throws -> [Float] {
        try checkActivation(activation.count, activationShape, "predict")
        let shape = [spec.outputs, height, width]
        var out = [Float](repeating: 0, count: shape.reduce(1, *))
        var a = HostTensor.float(UnsafeMutablePointer(mutating: activation.baseAddress), activationShape)
        try out.withUnsafeMutableBufferPointer { buf in
            var o = HostTensor.float(buf.baseAddress, shape)
            try HostServices.check(name, "predict") { v.predict!(handle, &a, &o) }
        }
        return out
    }

    public func predict(activation: [Float], activationShape: [Int], height: Int, width: Int) throws -> [Float] {
        try activation.withUnsafeBufferPointer {
            try predict(activation: $0, activationShape: activationShape, height: height, width: width)
        }
    }

    /// The fitted weights, copied: weight [outputs, C] row-major, bias [outputs] (empty when none).
    public func weights() throws -> (weight: [Float], bias: [Float]) {
        var w = ldmp_tensor(), b = ldmp_tensor()
        w.struct_size = UInt32(MemoryLayout<ldmp_tensor>.size)
        b.struct_size = w.struct_size
        try HostServices.check(name, "get_weights") { v.get_weights!(handle, &w, &b) }
        guard HostTensor.shape(of: w) == [spec.outputs, spec.channels], let weight = HostTensor.copyFloats(w) else {
            throw PluginError.invalidInput(plugin: name, function: "get_weights",
                reason: "weight view is not F32 [\(spec.outputs), \(spec.channels)] (got shape \(HostTensor.shape(of: w)))")
        }
        let bshape = HostTensor.shape(of: b)
        guard bshape == [spec.outputs] || bshape == [0], let bias = HostTensor.copyFloats(b) else {
            throw PluginError.invalidInput(plugin: name, function: "get_weights",
                                           reason: "bias view is not F32 [\(spec.outputs)] or [0] (got \(bshape))")
        }
        return (weight, bias)
    }

    /// Replaces the weights: weight [outputs, C], bias [outputs] or nil.
    public func setWeights(weight: [Float], bias: [Float]?) throws {
        try checkCount(weight.count, [spec.outputs, spec.channels], "weight", "set_weights", plugin: name)
        if let bias { try checkCount(bias.count, [spec.outputs], "bias", "set_weights", plugin: name) }
        var wc = weight, bc = bias ?? []
        try wc.withUnsafeMutableBufferPointer { wb in
            try bc.withUnsafeMutableBufferPointer { bb in
                var w = HostTensor.float(wb.baseAddress, [spec.outputs, spec.channels])
                var b = HostTensor.float(bb.baseAddress, [spec.outputs])
                try HostServices.check(name, "set_weights") {
                    bias == nil ? v.set_weights!(handle, &w, nil) : v.set_weights!(handle, &w, &b)
                }
            }
        }
    }

    /// The probe's loss against target [H, W] and its gradient w.r.t. the activation [C, h, w].
    public func lossGradient(activation: [Float], activationShape: [Int], target: [Float],
                             targetShape: [Int]) throws -> (loss: Double, gradient: [Float]) {
        guard let fn = v.loss_gradient else {
            throw PluginError.invalidInput(plugin: name, function: "loss_gradient",
                                           reason: "this probe does not provide gradients (loss_gradient is NULL)")
        }
        try checkActivation(activation.count, activationShape, "loss_gradient")
        try checkCount(target.count, targetShape, "target", "loss_gradient", plugin: name)
        var grad = [Float](repeating: 0, count: activation.count)
        var loss = 0.0
        var ac = activation, tc = target
        try ac.withUnsafeMutableBufferPointer { ab in
            try tc.withUnsafeMutableBufferPointer { tb in
                try grad.withUnsafeMutableBufferPointer { gb in
                    var a = HostTensor.float(ab.baseAddress, activationShape)
                    var t = HostTensor.float(tb.baseAddress, targetShape)
                    var g = HostTensor.float(gb.baseAddress, activationShape)
                    try HostServices.check(name, "loss_gradient") { fn(handle, &a, &t, &g, &loss) }
                }
            }
        }
        return (loss, grad)
    }

    /// Adds `other`'s training statistics into this instance (same plugin and spec).
    public func merge(_ other: ProbeInstance) throws {
        guard let fn = v.merge else {
            throw PluginError.invalidInput(plugin: name, function: "merge", reason: "this probe cannot merge (merge is NULL)")
        }
        guard other.plugin.info.name == name, other.plugin.info.library == plugin.info.library else {
            throw PluginError.invalidInput(plugin: name, function: "merge",
                                           reason: "other instance is of plugin \(other.plugin.info.name)")
        }
        try HostServices.check(name, "merge") { fn(handle, other.handle) }
    }

    /// The training statistics as the plugin exports them (ABI 1.2 export_state): F64 [n], copied.
    public func exportState() throws -> [Double] {
        guard let fn = v.export_state else {
            throw PluginError.invalidInput(plugin: name, function: "export_state",
                reason: "this probe cannot export its statistics (export_state is NULL; hint: a probe built for ABI 1.2 with a one-pass fit, e.g. linear:fit=lstsq)")
        }
        var t = ldmp_tensor()
        t.struct_size = UInt32(MemoryLayout<ldmp_tensor>.size)
        try HostServices.check(name, "export_state") { fn(handle, &t) }
        let shape = HostTensor.shape(of: t)
        guard t.dtype == LDMP_DTYPE_F64.rawValue, shape.count == 1, HostTensor.strides(of: t) == [1] || shape[0] <= 1,
              shape[0] == 0 || t.data != nil else {
            throw PluginError.invalidInput(plugin: name, function: "export_state",
                                           reason: "state is not a contiguous F64 [n] vector (dtype \(t.dtype), shape \(shape))")
        }
        guard let data = t.data else { return [] }
        return Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: Double.self), count: shape[0]))
    }

    /// Adds an exported state vector into this instance (ABI 1.2 import_state).
    public func importState(_ state: [Double]) throws {
        guard let fn = v.import_state else {
            throw PluginError.invalidInput(plugin: name, function: "import_state",
                reason: "this probe cannot import statistics (import_state is NULL; hint: a probe built for ABI 1.2)")
        }
        var copy = state
        try copy.withUnsafeMutableBufferPointer { b in
            var t = HostTensor.view(UnsafeMutableRawPointer(b.baseAddress), LDMP_DTYPE_F64, [b.count])
            try HostServices.check(name, "import_state") { fn(handle, &t) }
        }
    }

    private func checkActivation(_ count: Int, _ shape: [Int], _ function: String) throws {
        guard shape.count == 3, shape[0] == spec.channels else {
            throw PluginError.invalidInput(plugin: name, function: function,
                                           reason: "activation shape \(shape) is not [\(spec.channels), h, w]")
        }
        try checkCount(count, shape, "activation", function, plugin: name)
    }
}
