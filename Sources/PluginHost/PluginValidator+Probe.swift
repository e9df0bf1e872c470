// PluginHost — validate-plugin's probe checks, for binary and continuous labels: fit and predict with
// consistent shapes and finite values at two label sizes, weights of the documented shapes, a save/load round
// trip (get_weights → set_weights on a fresh instance predicts the same), determinism across instances,
// and merge, export_state/import_state (ABI 1.2) and loss_gradient when the probe has them.
import Foundation
import PluginABI
import SeededRandom

extension PluginValidator {
    static let probeChannels = 8

    /// Training examples: activation [C, 4, 4] and a label [8, 8] that a linear map of the activation explains.
    struct ProbeData {
        var activations: [[Float]]
        var labels: [[Float]]
        var held: [Float]

        init(kind: LabelKind, seed: UInt64, count: Int = 8) {
            var rng = SplitMix64(seed: seed ^ 0x5eed)
            let c = PluginValidator.probeChannels
            let w = PluginValidator.normal(c, &rng)
            activations = []
            labels = []
            for _ in 0..<count {
                let a = PluginValidator.normal(c * 16, &rng)
                var l = [Float](repeating: 0, count: 64)
                for y in 0..<8 {
                    for x in 0..<8 {
                        let t = (y / 2) * 4 + x / 2
                        var v: Float = 0
                        for k in 0..<c { v += w[k] * a[k * 16 + t] }
                        l[y * 8 + x] = kind == .binary ? (v > 0 ? 1 : 0) : v
                    }
                }
                activations.append(a)
                labels.append(l)
            }
            held = PluginValidator.normal(c * 16, &rng)
        }
    }

    static func checkProbe(_ plugin: ProbePlugin, _ o: ValidationOptions, _ r: inout Recorder) {
        let spec = { (k: LabelKind) in ProbeSpec(labelKind: k, channels: probeChannels, seed: o.seed) }
        r.run("create-destroy") {
            try createDestroy(o.repeats) {
                let p = try plugin.instantiate(spec(.binary))
                let d = ProbeData(kind: .binary, seed: o.seed, count: 1)
                try p.addExample(activation: d.activations[0], activationShape: [probeChannels, 4, 4],
                                 label: d.labels[0], labelShape: [8, 8])
            }
        }
        for kind in [LabelKind.binary, .continuous] {
            let data = ProbeData(kind: kind, seed: o.seed)
            guard let first = r.value("fit-predict \(kind.rawValue)", {
                let p = try fitted(plugin, spec(kind), data)
                let out = try predictions(p, data)
                return (out, "\(data.activations.count) examples [\(probeChannels), 4, 4] → labels [8, 8]; predict "
                        + "[\(spec(kind).outputs), 8, 8] and [\(spec(kind).outputs), 12, 12] finite")
            }) else { continue }
            r.run("save-load \(kind.rawValue)") {
                let p = try fitted(plugin, spec(kind), data)
                let (w, b) = try p.weights()
                let q = try plugin.instantiate(spec(kind))
                try q.setWeights(weight: w, bias: b.isEmpty ? nil : b)
                let (w2, b2) = try q.weights()
                guard w2 == w, b2 == b || (b.isEmpty && b2.allSatisfy { $0 == 0 }) else {
                    throw ValidationFailure("get_weights after set_weights differs (weight maxdiff \(maxDiff(w2, w)), "
                                            + "bias \(b2) vs \(b))")
                }
                let d = maxDiff(try predictions(q, data), first)
                guard d <= 1e-5 else {
                    throw ValidationFailure("a fresh instance given the fitted weights predicts differently "
                                            + "(maxdiff \(d) > 1e-5)")
                }
                return "weight [\(spec(kind).outputs), \(probeChannels)], bias [\(b.count)]; reloaded predictions maxdiff \(d)"
            }
            r.run("deterministic \(kind.rawValue)") {
                // Two instances side by side, fed alternately.
                let a = try plugin.instantiate(spec(kind)), b = try plugin.instantiate(spec(kind))
                for i in data.activations.indices {
                    for p in [a, b] {
                        try p.addExample(activation: data.activations[i], activationShape: [probeChannels, 4, 4],
                                         label: data.labels[i], labelShape: [8, 8])
                    }
                }
                try a.fit()
                try b.fit()
                let pa = try predictions(a, data), pb = try predictions(b, data)
                let d = max(maxDiff(pa, first), maxDiff(pb, first))
                guard d <= 1e-5 else {
                    throw ValidationFailure("same spec, seed and examples give other predictions (maxdiff \(d) > 1e-5)")
                }
                return "two instances fed alternately match a lone one (maxdiff \(d))"
            }
            if plugin.supportsMerge {
                r.run("merge \(kind.rawValue)") {
                    let half = data.activations.count / 2
                    let a = try plugin.instantiate(spec(kind)), b = try plugin.instantiate(spec(kind))
                    for i in data.activations.indices {
                        try (i < half ? a : b).addExample(activation: data.activations[i],
                                                          activationShape: [probeChannels, 4, 4],
                                                          label: data.labels[i], labelShape: [8, 8])
                    }
                    try a.merge(b)
                    try a.fit()
                    let d = maxDiff(try predictions(a, data), first)
                    guard d <= 1e-3 else {
                        throw ValidationFailure("two merged halves predict differently from one fit (maxdiff \(d) > 1e-3)")
                    }
                    return "two halves merged match one fit (maxdiff \(d))"
                }
            }
            if plugin.supportsState {
                r.run("state \(kind.rawValue)") { try checkState(plugin, spec(kind), data, first) }
            }
            if plugin.supportsLossGradient {
                r.run("loss-gradient \(kind.rawValue)") {
                    let p = try fitted(plugin, spec(kind), data)
                    let g = try p.lossGradient(activation: data.held, activationShape: [probeChannels, 4, 4],
                                               target: data.labels[0], targetShape: [8, 8])
                    guard g.loss.isFinite else { throw ValidationFailure("loss \(g.loss) is not finite") }
                    try requireFinite(g.gradient, "gradient")
                    return "loss \(g.loss), gradient [\(probeChannels), 4, 4] finite"
                }
            }
        }
    }

    /// ABI 1.2 export_state/import_state: two halves exported and imported into a fresh instance fit as one
    /// instance did (`first`: its predictions), and an imported state is exported again bit for bit. A probe may
    /// refuse with LDMP_ERR_UNSUPPORTED for parameters that keep examples rather than statistics.
    static func checkState(_ plugin: ProbePlugin, _ spec: ProbeSpec, _ data: ProbeData, _ first: [Float]) throws -> String {
        let half = data.activations.count / 2
        let a = try plugin.instantiate(spec), b = try plugin.instantiate(spec)
        for i in data.activations.indices {
            try (i < half ? a : b).addExample(activation: data.activations[i], activationShape: [probeChannels, 4, 4],
                                              label: data.labels[i], labelShape: [8, 8])
        }
        let sa: [Double]
        do { sa = try a.exportState() } catch PluginError.callFailed(_, _, let status, let message)
            where status == Int32(bitPattern: LDMP_ERR_UNSUPPORTED.rawValue) {
            return "export_state unsupported with these parameters (\(message))"
        }
        let merged = try plugin.instantiate(spec)
        try merged.importState(sa)
        guard try merged.exportState().elementsEqual(sa, by: { $0.bitPattern == $1.bitPattern }) else {
            throw ValidationFailure("a fresh instance that imported a state exports another one (import must add exactly)")
        }
        try merged.importState(try b.exportState())
        try merged.fit()
        let d = maxDiff(try predictions(merged, data), first)
        guard d <= 1e-3 else {
            throw ValidationFailure("two halves' exported states imported predict differently from one fit (maxdiff \(d) > 1e-3)")
        }
        return "two halves' states imported into a fresh instance match one fit (maxdiff \(d)); \(sa.count) values"
    }

    static func fitted(_ plugin: ProbePlugin, _ spec: ProbeSpec, _ data: ProbeData) throws -> ProbeInstance {
        let p = try plugin.instantiate(spec)
        for (a, l) in zip(data.activations, data.labels) {
            try p.addExample(activation: a, activationShape: [probeChannels, 4, 4], label: l, labelShape: [8, 8])
        }
        try p.fit()
        return p
    }

    /// Predictions on the held-out activation at [8, 8] and [12, 12], concatenated.
    static func predictions(_ p: ProbeInstance, _ data: ProbeData) throws -> [Float] {
        var all: [Float] = []
        for size in [8, 12] {
            let out = try p.predict(activation: data.held, activationShape: [probeChannels, 4, 4], height: size,
                                    width: size)
            try requireFinite(out, "predict [\(p.spec.outputs), \(size), \(size)]")
            all += out
        }
        return all
    }
}
