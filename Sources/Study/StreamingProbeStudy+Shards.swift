// The streaming study cut into map and reduce stages (`ldmprobe study`, Studies.ShardedStudy): a training shard
// adds its images to the probes and exports their statistics; the reduce step imports every shard's statistics,
// fits, and exports the weights; a test shard imports the weights and exports its images' metric values; the
// report imports those and writes what `finish` writes. Everything travels as named float64 vectors (exact), so
// the stages may run in other processes and machines.
//
// Names: "probe/<layer>/step_<s>/<property>" and "control/…" (statistics, the plugin's export_state layout),
// "layout/<property>" + "layout_count" (the training labels' sums), "values/…", "control_values/…",
// "layout_values/<property>", "cap/<property>" (per-test metric values, NaN where undefined).
import Foundation
import PluginHost

extension StreamingProbeStudy {
    static func key(_ c: Cell, _ p: StudyProperty) -> String { "\(c.layer)/step_\(c.step)/\(p.name)" }

    /// One training image of a shard: its labels train the probes, `controlLabels` (the label the control
    /// derangement gives it: the previous image's in `generationOrder`) train the shuffled controls.
    public func addShardTraining(imageID id: String, activations: [String: [Float]], labels: [[Float]],
                                 controlLabels: [[Float]]) throws {
        let n = options.labelHeight * options.labelWidth
        guard labels.count == properties.count, controlLabels.count == properties.count,
              (labels + controlLabels).allSatisfy({ $0.count == n }) else {
            throw StudyError.invalidArgument("image \(id): expected \(properties.count) label(s) of \(options.labelHeight)×\(options.labelWidth)")
        }
        for c in cells where activations[c.layer]?.count != available[c.layerIndex].shape.reduce(1, *) {
            throw StudyError.badInput("image \(id): activations of \(c.layer) missing or not \(available[c.layerIndex].shape)")
        }
        guard trainIndex[id] != nil else { throw StudyError.invalidArgument("image \(id) is not a training image") }
        guard trainSeen.insert(id).inserted else { throw StudyError.invalidArgument("image \(id) streamed twice") }
        baseline.add(labels)
        for c in cells {
            try Self.withSlice(activations[c.layer]!, c) { a in
                for (k, p) in c.probes.enumerated() { try add(p, a, c.shape, labels[k]) }
                for (k, p) in c.controls.enumerated() { try add(p, a, c.shape, controlLabels[k]) }
            }
        }
    }

    /// The training statistics so far: every probe's and control's exported state and the layout sums.
    public func exportTrainingState() throws -> [String: [Double]] {
        var out: [String: [Double]] = ["layout_count": [Double(baseline.count)]]
        for c in cells {
            for (k, p) in properties.enumerated() {
                out["probe/" + Self.key(c, p)] = try ProbeStudyResults.wrap { try c.probes[k].exportState() }
                if options.shuffledControl {
                    out["control/" + Self.key(c, p)] = try ProbeStudyResults.wrap { try c.controls[k].exportState() }
                }
            }
        }
        for (k, p) in properties.enumerated() { out["layout/" + p.name] = baseline.sums[k] }
        return out
    }

    /// Adds exported training statistics (one shard's, or a checkpoint's) into the probes and the layout sums.
    /// `ids`: the training images they cover (counted as seen). `what` names the file in errors.
    public func importTrainingState(_ state: [String: [Double]], ids: [String], what: String) throws {
        func need(_ name: String) throws -> [Double] {
            guard let v = state[name] else {
                throw StudyError.badInput("\(what): no tensor '\(name)' (hint: made with other --layers/--calls/--label flags?)")
            }
            return v
        }
        for id in ids {
            guard trainIndex[id] != nil, trainSeen.insert(id).inserted else {
                throw StudyError.badInput("\(what): training image \(id) unknown or covered twice")
            }
        }
        for c in cells {
            for (k, p) in properties.enumerated() {
                let s = try need("probe/" + Self.key(c, p))
                try ProbeStudyResults.wrap { try c.probes[k].importState(s) }
                if options.shuffledControl {
                    let t = try need("control/" + Self.key(c, p))
                    try ProbeStudyResults.wrap { try c.controls[k].importState(t) }
                }
            }
        }
        try importLayout(state, what: what)
    }

    /// Adds the training labels' sums ("layout/<property>", "layout_count") into the `:layout` reference.
    func importLayout(_ state: [String: [Double]], what: String) throws {
        guard let count = state["layout_count"]?.first else {
            throw StudyError.badInput("\(what): no tensor 'layout_count'")
        }
        for (k, p) in properties.enumerated() {
            guard let s = state["layout/" + p.name], s.count == baseline.sums[k].count else {
                throw StudyError.badInput("\(what): layout/\(p.name) missing or not \(options.labelHeight)×\(options.labelWidth) values (hint: the same --label and --label-size flags)")
            }
            for i in s.indices { baseline.sums[k][i] += s[i] }
        }
        baseline.count += Int(count)
        baseline.cachedMeans = nil
    }

    /// Fits every probe once every training image is covered (the reduce step).
    public func fitCovered() throws {
        let missing = trainIndex.count - trainSeen.count
        guard missing == 0 else { throw StudyError.invalidArgument("\(missing) training image(s) not covered by any shard") }
        try fitAll()
    }

    /// The fitted weights as recorded for probes/*.safetensors: "<property>/<layer>/step_<s>/weight" (and bias).
    public var fittedWeights: [String: [Float]] {
        var out: [String: [Float]] = [:]
        for (property, set) in results.weights { for (name, t) in set { out[property + "/" + name] = t.values } }
        return out
    }

    /// Sets the weights a reduce step fitted (`fittedWeights`) and its layout sums: the probes predict as if fitted
    /// here, and every training image counts as seen.
    public func importFitted(weights: [String: [Float]], layout: [String: [Double]], what: String) throws {
        results.weights = [:]
        for c in cells {
            for (k, p) in properties.enumerated() {
                try setFitted(c.probes[k], property: p.name, c, weights, what)
                if options.shuffledControl { try setFitted(c.controls[k], property: p.name + ":shuffled", c, weights, what) }
            }
        }
        trainSeen = Set(trainIndex.keys)
        try importLayout(layout, what: what)
        fitted = true
    }

    private func setFitted(_ probe: ProbeInstance, property: String, _ c: Cell, _ weights: [String: [Float]],
                           _ what: String) throws {
        let name = "\(property)/\(c.layer)/step_\(c.step)/"
        guard let w = weights[name + "weight"] else {
            throw StudyError.badInput("\(what): no weights '\(name)weight' (hint: solve with the same flags)")
        }
        try ProbeStudyResults.wrap { try probe.setWeights(weight: w, bias: weights[name + "bias"]) }
        try results.recordWeights(probe, property: property, layer: c.layer, step: c.step, channels: c.shape[0])
    }
}
