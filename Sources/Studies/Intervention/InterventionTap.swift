// The tap that reads and edits activations through probes during a DiffusionPipeline run. It attaches to the UNet
// directly (ActivationTap's `visit` is inout, so the edit flows on into the rest of the forward pass) and follows
// the sampler loop as a StepObserver to know which call (= step) it is in.
//
//   read:  at each chosen layer and read step, the probe's prediction on the conditional branch [outputs, H, W]
//   edit:  additionally, at edit steps, Adam moves the conditional activation [C, h, w] until the probe reads the
//          target (probe loss_gradient: cross-entropy for binary labels, Huber for continuous), then writes it back
//   control: as edit, but the written change is a random direction with the same L2 norm as Adam's change: the
//          norm the edited run recorded at that (layer, step) (`controlNorms`), else Adam is run here to find it
import Foundation
import Pipeline
import Models
import PluginHost
import SeededRandom
import Tensor

public final class InterventionTap: ActivationTap, StepObserver {
    public enum Mode: Equatable { case read, edit, control }

    /// One probe reading: before (and after, when edited) at a layer and step.
    public struct Reading {
        public let layer: String
        public let step: Int
        public var before: [Float]
        public var after: [Float]?
        public var lossBefore: Double?
        public var lossAfter: Double?
        public var changeNorm: Double?
        /// ‖x‖ of the conditional activation before the edit (to read ‖Δ‖ against).
        public var activationNorm: Double?
    }

    public let points: [String: CapturePoint]
    public let probes: InterventionProbes
    public let editSteps: Set<Int>
    public let readSteps: Set<Int>
    public let labelHeight: Int
    public let labelWidth: Int
    public var editor: AdamEditor
    public var mode: Mode = .read
    public var target: [Float] = []
    public var batchHasUncond = true
    public var controlSeed: UInt64 = 0
    /// ‖Δ‖ of the probe-guided edit per "<layer>/step_<s>" (from the edited run's readings), used by control runs.
    public var controlNorms: [String: Double] = [:]

    public private(set) var call = 0
    public private(set) var readings: [Reading] = []
    public private(set) var pendingError: Error?
    public private(set) var editSeconds = 0.0

    public init(points: [CapturePoint], probes: InterventionProbes, editSteps: Set<Int>, readSteps: Set<Int>,
                labelHeight: Int, labelWidth: Int, editor: AdamEditor) {
        self.points = Dictionary(points.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        self.probes = probes
        self.editSteps = editSteps
        self.readSteps = readSteps.union(editSteps)
        self.labelHeight = labelHeight
        self.labelWidth = labelWidth
        self.editor = editor
    }

    /// Clears readings and errors before a run.
    public func begin(mode: Mode) {
        self.mode = mode
        readings = []
        pendingError = nil
        editSeconds = 0
        call = 0
    }

    public func throwIfFailed() throws { if let pendingError { throw pendingError } }

    // MARK: StepObserver

    public func imageWillStart(_ context: ImageContext) throws { call = 0 }
    public func stepDidFinish(_ step: StepEvent) throws { call = step.call + 1 }

    // MARK: ActivationTap

    public func wants(_ path: String) -> Bool { points[path] != nil }

    public func visit(_ path: String, _ activation: inout Tensor) {
        guard pendingError == nil, let point = points[path], readSteps.contains(call) else { return }
        let step = call
        let H = labelHeight, W = labelWidth
        do {
            guard let probe = probes.probe(layer: path, step: step) else {
                if editSteps.contains(step) && mode != .read {
                    throw InterventionError.missingProbe(layer: path, step: step, path: probes.path)
                }
                return
            }
            let batch = activation.shape[0]
            let index = batchHasUncond ? batch - 1 : 0                      // the conditional branch
            var x = CaptureTap.featureMap(activation, batchIndex: index, point: point)   // [C, h, w]
            let shape = point.featureShape
            let before = try probe.predict(activation: x, activationShape: shape, height: H, width: W)  // [O, H, W]
            var reading = Reading(layer: path, step: step, before: before)
            if mode != .read && editSteps.contains(step) {
                let started = Date()
                let original = x
                let loss = { (a: [Float]) throws -> (Double, [Float]) in
                    try probe.lossGradient(activation: a, activationShape: shape, target: self.target, targetShape: [H, W])
                }
                let key = "\(path)/step_\(step)"
                reading.activationNorm = original.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                if mode == .control, let norm = controlNorms[key] {
                    x = Self.randomDirection(from: original, norm: norm, seed: Self.controlSeed(controlSeed, key))
                    reading.lossBefore = try loss(original).0
                    reading.lossAfter = try loss(x).0
                    reading.changeNorm = norm
                } else {
                    let r = try editor.optimise(&x, loss)
                    var norm = 0.0
                    for i in 0 ..< x.count { let d = Double(x[i] - original[i]); norm += d * d }
                    norm = norm.squareRoot()
                    reading.lossBefore = r.initialLoss
                    reading.lossAfter = r.finalLoss
                    if mode == .control {
                        x = Self.randomDirection(from: original, norm: norm, seed: Self.controlSeed(controlSeed, key))
                        reading.lossAfter = try loss(x).0
                    }
                    reading.changeNorm = norm
                }
                reading.after = try probe.predict(activation: x, activationShape: shape, height: H, width: W)
                Self.write(x, into: &activation, batchIndex: index, point: point)
                editSeconds += Date().timeIntervalSince(started)
            }
            readings.append(reading)
        } catch {
            pendingError = error
        }
    }

    /// The control's seed for one (layer, step): `seed` mixed with an FNV-1a hash of "<layer>/step_<s>", so each
    /// edit point draws its own direction and the draw does not depend on which other points were edited.
    public static func controlSeed(_ seed: UInt64, _ key: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h ^ (seed &* 0x9E37_79B9_7F4A_7C15)
    }

    /// `x` + a Gaussian direction scaled to L2 norm `norm` (Box–Muller on SplitMix64; reproducible per seed).
    public static func randomDirection(from x: [Float], norm: Double, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
        func next() -> Double { (Double(rng.next() >> 11) + 0.5) / Double(1 << 53) }  // in (0, 1): log never sees 0
        var d = [Double](repeating: 0, count: x.count)
        var s = 0.0
        for i in 0 ..< x.count {
            let g = (-2 * log(next())).squareRoot() * cos(2 * Double.pi * next())
            d[i] = g
            s += g * g
        }
        let scale = s > 0 ? norm / s.squareRoot() : 0
        return (0 ..< x.count).map { x[$0] + Float(d[$0] * scale) }
    }

    /// Writes [C, h, w] back into batch element `b` of the activation (tokens [h·w, C] or maps [C, h, w]).
    static func write(_ x: [Float], into activation: inout Tensor, batchIndex b: Int, point: CapturePoint) {
        let c = point.channels, n = point.height * point.width, offset = b * c * n
        activation.data.withUnsafeMutableBufferPointer { dst in
            x.withUnsafeBufferPointer { src in
                if point.tokens {
                    for t in 0 ..< n { for ch in 0 ..< c { dst[offset + t * c + ch] = src[ch * n + t] } }
                } else {
                    for i in 0 ..< c * n { dst[offset + i] = src[i] }
                }
            }
        }
    }
}
