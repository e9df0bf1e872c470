// The `linear` probe plugin: its descriptor, parameters and the probe.h vtable over LinearProbe.
//
//     --probe linear                          Adam, lr 1e-3, 30 epochs, batch 4, huber δ=1, no bias (the studies)
//     --probe linear:fit=lstsq,lambda=1e-3    closed-form ridge from one pass of sufficient statistics
import Foundation
import PluginABI
import PluginKit

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntry() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { [LinearProbePlugin.descriptor] })
}

enum LinearProbePlugin {
    static let params: [ParamSpec] = [
        .choice("fit", ["adam", "lstsq"], default: "adam",
                help: "adam: the studies' minibatch training; lstsq: exact least squares/ridge in one pass"),
        .choice("loss", ["huber", "mse"], default: "huber",
                help: "continuous labels: huber (the studies) or mse; binary labels always use cross-entropy"),
        .float("delta", default: 1.0, range: 1e-12...1e12, help: "Huber δ"),
        .float("lr", default: 1e-3, range: 0...10, help: "Adam learning rate (shading in the follow-up: 1e-2)"),
        .int("epochs", default: 30, range: 1...100_000, help: "Adam epochs"),
        .int("batch", default: 4, range: 1...1_000_000, help: "Adam minibatch size (images)"),
        .int("seed", default: 0, help: "init and shuffle seed; when unset, the host's per-probe seed is used"),
        .bool("bias", default: false, help: "learn a bias (the studies: none)"),
        .float("lambda", default: 0.0, range: 0...1e12, help: "lstsq ridge strength on the mean-over-pixels scale"),
    ]

    static let descriptor = PluginDescriptor(
        kind: LDMP_KIND_PROBE, name: "linear", version: (1, 0, 0),
        description: "per-token linear probe (1×1 conv), nearest upsampling to label size; Adam or least squares",
        params: params,
        // One-pass only with fit=lstsq (sufficient statistics); Adam keeps every example for its epochs.
        capabilities: LDMP_CAP_PROBE_ONE_PASS,
        capabilitiesFor: { params, count in
            (try? ParamValues(params, count: count).string("fit")) == "lstsq" ? LDMP_CAP_PROBE_ONE_PASS : 0
        },
        vtable: StaticStorage.store(ldmp_probe_vtable(
            struct_size: StaticStorage.size(of: ldmp_probe_vtable.self),
            create: { host, params, count, spec, out in
                PluginCall.run(host) {
                    let p = ParamValues(params, count: count)
                    guard let spec else { throw PluginKitError.invalidArgument("linear: spec is NULL") }
                    let config = try LinearProbePlugin.config(p, spec.pointee)
                    try InstanceBox.store(LinearProbeBox(LinearProbe(config: config), host: host), into: out)
                }
            },
            destroy: { probe in InstanceBox.release(probe) },
            add_example: { probe, activation, label in
                PluginCall.run {
                    let box = try InstanceBox.object(probe, as: LinearProbeBox.self)
                    let a = try TensorView.floats(activation, "activation", shape: [box.probe.channels, nil, nil])
                    let l = try TensorView.floats(label, "label", shape: [nil, nil])
                    try box.probe.add(activation: Array(a.buffer), h: a.shape[1], w: a.shape[2],
                                      label: Array(l.buffer), H: l.shape[0], W: l.shape[1])
                }
            },
            fit: { probe in
                PluginCall.run {
                    let box = try InstanceBox.object(probe, as: LinearProbeBox.self)
                    box.stale = true
                    // Progress only for fits that take a while: a study fits thousands of quick probes.
                    let start = Date()
                    try box.probe.fit { done, total in
                        guard Date().timeIntervalSince(start) > 1 else { return }
                        box.host?.progress("fit linear", done: done, total: total)
                    }
                }
            },
            predict: { probe, activation, out in
                PluginCall.run {
                    let box = try InstanceBox.object(probe, as: LinearProbeBox.self)
                    let p = box.probe
                    let a = try TensorView.floats(activation, "activation", shape: [p.channels, nil, nil])
                    let o = try TensorView.mutableFloats(out, "out", shape: [p.outputs, nil, nil])
                    guard o.shape[1] >= a.shape[1], o.shape[2] >= a.shape[2] else {
                        throw PluginKitError.invalidArgument("linear: out \(o.shape) is smaller than the activation grid \(a.shape[1])×\(a.shape[2])")
                    }
                    p.predict(activation: Array(a.buffer), h: a.shape[1], w: a.shape[2], H: o.shape[1], W: o.shape[2],
                              into: o.buffer.baseAddress!, strides: (o.shape[1] * o.shape[2], o.shape[2], 1))
                }
            },
            get_weights: { probe, weight, bias in
                PluginCall.run {
                    let box = try InstanceBox.object(probe, as: LinearProbeBox.self)
                    guard let weight, let bias else { throw PluginKitError.invalidArgument("linear: get_weights needs both out views") }
                    box.exportViews()
                    weight.pointee = box.weightView
                    bias.pointee = box.biasView
                }
            },
            set_weights: { probe, weight, bias in
                PluginCall.run {
                    let box = try InstanceBox.object(probe, as: LinearProbeBox.self)
                    let p = box.probe
                    box.stale = true
                    let w = try TensorView.floats(weight, "weight", shape: [p.outputs, p.channels])
                    p.weight = Array(w.buffer)
                    if let bias {
                        let b = try TensorView.floats(bias, "bias", shape: [nil])
                        if b.count == 0 {
                            p.bias = [Float](repeating: 0, count: p.outputs)
                        } else {
                            guard p.config.bias, b.count == p.outputs else {
                                throw PluginKitError.invalidArgument("linear: bias of \(b.count) values given, probe has \(p.config.bias ? "\(p.outputs)" : "no bias") (hint: bias=true)")
                            }
                            p.bias = Array(b.buffer)
                        }
                    }
                    p.hasWeights = true
                }
            },
            loss_gradient: { probe, activation, target, grad, loss in
                PluginCall.run {
                    let box = try InstanceBox.object(probe, as: LinearProbeBox.self)
                    let p = box.probe
                    let a = try TensorView.floats(activation, "activation", shape: [p.channels, nil, nil])
                    let t = try TensorView.floats(target, "target", shape: [nil, nil])
                    let g = try TensorView.mutableFloats(grad, "grad", shape: a.shape)
                    guard t.shape[0] >= a.shape[1], t.shape[1] >= a.shape[2] else {
                        throw PluginKitError.invalidArgument("linear: target \(t.shape) is smaller than the activation grid")
                    }
                    let (l, gr) = p.lossGradient(activation: Array(a.buffer), h: a.shape[1], w: a.shape[2],
                                                 target: Array(t.buffer), H: t.shape[0], W: t.shape[1])
                    for i in 0..<gr.count { g.buffer[i] = gr[i] }
                    loss?.pointee = l
                }
            },
            merge: { into, other in
                PluginCall.run {
                    let a = try InstanceBox.object(into, as: LinearProbeBox.self)
                    let b = try InstanceBox.object(other, as: LinearProbeBox.self)
                    try a.probe.merge(b.probe)
                }
            },
            export_state: { probe, state in
                PluginCall.run {
                    let box = try InstanceBox.object(probe, as: LinearProbeBox.self)
                    guard let state else { throw PluginKitError.invalidArgument("linear: export_state needs an out view") }
                    try box.probe.checkStateful("export_state")
                    state.pointee = box.exportState()
                }
            },
            import_state: { probe, state in
                PluginCall.run {
                    let box = try InstanceBox.object(probe, as: LinearProbeBox.self)
                    try box.probe.checkStateful("import_state")
                    guard let t = state?.pointee, t.dtype == LDMP_DTYPE_F64.rawValue, t.rank == 1, t.isContiguous,
                          let data = t.data else {
                        throw PluginKitError.invalidArgument("linear: import_state needs a contiguous F64 [n] vector")
                    }
                    try box.probe.stats.add(state: UnsafeBufferPointer(start: data.assumingMemoryBound(to: Double.self),
                                                                       count: t.shapeArray[0]))
                }
            })))

    static func config(_ p: ParamValues, _ spec: ldmp_probe_spec) throws -> LinearProbeConfig {
        let binary = spec.label_kind == LDMP_LABEL_BINARY.rawValue
        let outputs = Int(spec.outputs)
        guard spec.channels > 0 else { throw PluginKitError.invalidArgument("linear: spec.channels is 0") }
        guard outputs == (binary ? 2 : 1) else {
            throw PluginKitError.invalidArgument("linear: \(binary ? "binary" : "continuous") labels need \(binary ? 2 : 1) outputs, spec has \(outputs)")
        }
        var c = LinearProbeConfig(binary: binary, channels: Int(spec.channels), outputs: outputs)
        c.fit = LinearProbeFit(rawValue: try p.string("fit")) ?? .adam
        c.loss = try p.string("loss") == "mse" ? .mse : .huber(delta: Float(try p.double("delta")))
        c.lr = Float(try p.double("lr"))
        c.epochs = try p.int("epochs")
        c.batch = try p.int("batch")
        c.seed = p.isSet("seed") ? UInt64(bitPattern: Int64(try p.int("seed"))) : spec.seed
        c.bias = try p.bool("bias")
        c.lambda = try p.double("lambda")
        return c
    }
}

/// The instance behind ldmp_probe *: the probe, its host, and stable storage for get_weights' views.
final class LinearProbeBox {
    let probe: LinearProbe
    let host: LDMHost?
    private var exportedWeight: UnsafeMutablePointer<Float>?
    private var exportedBias: UnsafeMutablePointer<Float>?
    var weightView = ldmp_tensor()
    var biasView = ldmp_tensor()

    init(_ probe: LinearProbe, host: UnsafePointer<ldmp_host>?) {
        self.probe = probe
        self.host = LDMHost(host) ?? LDMHost.current
    }

    /// Set by fit and set_weights: the exported views are stale and may be freed at the next get_weights.
    var stale = true

    /// Copies the weights into buffers owned by the box; they stay valid until the next fit, set_weights or
    /// destroy (a repeated get_weights in between returns the same views).
    func exportViews() {
        guard stale || exportedWeight == nil else { return }
        stale = false
        exportedWeight?.deallocate(); exportedBias?.deallocate()
        let w = UnsafeMutablePointer<Float>.allocate(capacity: max(probe.weight.count, 1))
        w.initialize(from: probe.weight, count: probe.weight.count)
        exportedWeight = w
        weightView = ldmp_tensor.contiguous(UnsafeMutableRawPointer(w), dtype: LDMP_DTYPE_F32,
                                            shape: [probe.outputs, probe.channels])
        let nb = probe.config.bias ? probe.outputs : 0
        let b = UnsafeMutablePointer<Float>.allocate(capacity: max(nb, 1))
        if nb > 0 { b.initialize(from: probe.bias, count: nb) }
        exportedBias = b
        biasView = ldmp_tensor.contiguous(UnsafeMutableRawPointer(b), dtype: LDMP_DTYPE_F32, shape: [nb])
    }

    private var exportedState: UnsafeMutablePointer<Double>?

    /// A copy of the statistics owned by the box, valid until the next export_state or destroy.
    func exportState() -> ldmp_tensor {
        exportedState?.deallocate()
        let s = probe.stats.state
        let p = UnsafeMutablePointer<Double>.allocate(capacity: max(s.count, 1))
        p.initialize(from: s, count: s.count)
        exportedState = p
        return ldmp_tensor.contiguous(UnsafeMutableRawPointer(p), dtype: LDMP_DTYPE_F64, shape: [s.count])
    }

    deinit { exportedWeight?.deallocate(); exportedBias?.deallocate(); exportedState?.deallocate() }
}
