// StreamingProbeStudy: the probing study in one pass over the images as they are generated, for probes fitted
// from statistics accumulated example by example (linear:fit=lstsq). Every (layer, step, property) probe and its
// shuffled-label control exist from the start; each training image's activations are added to all of them as
// soon as the image and its labels are ready and then dropped; after the last training image every probe is
// fitted; each test image is then predicted and measured as it arrives and dropped. No activation is stored.
//
// Memory: the probes' statistics (lstsq: a packed C×C double matrix per probe, cells × properties × 2) plus the
// current image's activations, plus those of training images whose shuffled-control label (another training
// image's) has not arrived yet. Generating the training images in `generationOrder` (the control derangement's
// cycle backwards) makes that one image: each image's control label is the previous image's, only the first
// waits for the last. Test images come after all training images (their probes must be fitted first).
//
// The tables equal ProbeStudy's on the same activations: rows in the same order, per-image values kept in
// split.test order whatever the arrival order, the same bootstrap seeds. Only the order in which training
// examples are summed differs (lstsq accumulates in double: differences at rounding level).
import FileFormats
import Foundation
import PluginHost

public final class StreamingProbeStudy {
    /// A probed (layer, step) and its probes (one per property), true labels and shuffled control.
    struct Cell {
        let layer: String
        let layerIndex: Int
        /// [C, h, w]
        let shape: [Int]
        let step: Int
        var probes: [ProbeInstance]
        var controls: [ProbeInstance]
        /// Per-image metric values of the probe and of the control.
        var values: MetricTable
        var controlValues: MetricTable
    }

    /// Per property, its metrics' values per test image: [property][metric · tests + test] (flat, with a
    /// defined flag: a correlation of a constant map is undefined and left out, as ProbeStudy leaves it out).
    struct MetricTable {
        let metrics: [[String]]
        let tests: Int
        var values: [[Double]]
        var defined: [[Bool]]

        init(metrics: [[String]], tests: Int) {
            self.metrics = metrics
            self.tests = tests
            values = metrics.map { [Double](repeating: 0, count: $0.count * tests) }
            defined = metrics.map { [Bool](repeating: false, count: $0.count * tests) }
        }

        mutating func set(property k: Int, test t: Int, _ measured: [String: Double]) {
            for (m, name) in metrics[k].enumerated() {
                if let v = measured[name] { values[k][m * tests + t] = v; defined[k][m * tests + t] = true }
            }
        }

        /// [property] metric → values in test order (nil: undefined), as ProbeStudy collects them.
        var inTestOrder: [[String: [Double?]]] {
            metrics.indices.map { k in
                var out: [String: [Double?]] = [:]
                for (m, name) in metrics[k].enumerated() {
                    out[name] = (0..<tests).map { defined[k][m * tests + $0] ? values[k][m * tests + $0] : nil }
                }
                return out
            }
        }
    }

    let properties: [StudyProperty]
    let probe: ProbePlugin
    let options: ProbeStudyOptions
    let out: URL
    /// (name, [U, C, h, w]) of every captured layer.
    let available: [(name: String, shape: [Int])]
    var cells: [Cell] = []
    let trainIndex: [String: Int]
    let testIndex: [String: Int]
    /// Control derangement: train[i] is trained on the label of train[controlPerm[i]]; controlSource inverts it.
    let controlPerm: [Int]
    let controlSource: [Int]
    let predictionLayers: [String]
    let predictionIDs: Set<String>

    /// Training labels still needed by the control of an image not yet arrived: train index → labels per property.
    private var pendingLabels: [Int: [[Float]]] = [:]
    /// Training images waiting for their control label: label's train index → (image's activations per layer).
    private var pendingImages: [Int: [String: [Float]]] = [:]
    var trainSeen: Set<String> = []
    var testSeen: Set<String> = []
    public internal(set) var fitted = false
    /// The most training images held at once waiting for a control label (1 in generation order).
    public private(set) var maxHeldImages = 0
    let results = ProbeStudyResults()
    /// The `:layout` and `:cap` references: training labels summed as they arrive, test images measured.
    var baseline: LayoutBaseline
    var layoutValues: MetricTable
    var capValues: [[Double?]]
    private let log: (String) -> Void

    /// `layers`: every captured layer as (name, [U, C, h, w]) in UNet order; options.layers / options.steps pick
    /// the probed subset (nil: all). Creates every probe now (a bad probe spec fails before generation).
    public init(layers: [(name: String, shape: [Int])], properties: [StudyProperty], probe: ProbePlugin,
                options: ProbeStudyOptions, out: URL,
                log: @escaping (String) -> Void = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }) throws {
        self.available = layers
        self.properties = properties
        self.probe = probe
        self.options = options
        self.out = out
        self.log = log
        let names = layers.map(\.name)
        let probed = options.layers ?? names
        for l in probed where !names.contains(l) {
            throw StudyError.invalidArgument("unknown layer '\(l)' (captured: \(names.joined(separator: ", ")))")
        }
        let train = options.split.train, test = options.split.test
        guard !train.isEmpty, !test.isEmpty else {
            throw StudyError.invalidArgument("split \(options.split.description): \(train.count) train and \(test.count) test images; need both")
        }
        trainIndex = Dictionary(train.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        testIndex = Dictionary(test.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        controlPerm = ProbeStudy.controlDerangement(count: train.count, seed: options.seed).perm
        var source = Array(0..<train.count)
        for (i, j) in controlPerm.enumerated() { source[j] = i }
        controlSource = source
        predictionLayers = options.predictionLayers ?? (probed.last.map { [$0] } ?? [])
        predictionIDs = Set(test.prefix(options.predictionImages))
        let empty = MetricTable(metrics: properties.map(\.metrics), tests: test.count)
        baseline = LayoutBaseline(kinds: properties.map(\.kind), height: options.labelHeight, width: options.labelWidth,
                                  grid: LayoutBaseline.finestGrid(layers.filter { probed.contains($0.name) }.map(\.shape)))
        layoutValues = empty
        capValues = properties.map { _ in [Double?](repeating: nil, count: test.count) }
        for name in probed {
            let k = names.firstIndex(of: name)!
            let s = layers[k].shape // [U, C, h, w]
            for step in options.steps ?? Array(0..<s[0]) {
                guard step >= 0, step < s[0] else {
                    throw StudyError.invalidArgument("step \(step) out of range: \(name) has \(s[0]) UNet calls (0…\(s[0] - 1))")
                }
                func make() throws -> [ProbeInstance] {
                    try properties.map { p in
                        try ProbeStudyResults.wrap {
                            try probe.instantiate(ProbeSpec(labelKind: p.kind, channels: s[1], seed: options.seed))
                        }
                    }
                }
                cells.append(Cell(layer: name, layerIndex: k, shape: Array(s.dropFirst()), step: step, probes: try make(),
                                  controls: options.shuffledControl ? try make() : [], values: empty,
                                  controlValues: options.shuffledControl ? empty : MetricTable(metrics: [], tests: 0)))
            }
        }
    }

    /// The order to generate images in: training images along the control cycle backwards (each image's control
    /// label is then the previous image's), then the test images in split order, then any other `ids`.
    public static func generationOrder(split: DataSplit, seed: UInt64, ids: [String] = []) -> [String] {
        let order = ProbeStudy.controlDerangement(count: split.train.count, seed: seed).order
        let first = order.reversed().map { split.train[$0] } + split.test
        let known = Set(first)
        return first + ids.filter { !known.contains($0) }
    }

    /// Bytes of probe statistics when every probe keeps a packed symmetric C×C double matrix (linear:fit=lstsq).
    public static func statisticsBytes(layers: [(name: String, shape: [Int])], options: ProbeStudyOptions,
                                       properties: Int) -> Int {
        let probes = properties * (options.shuffledControl ? 2 : 1)
        return layers.filter { options.layers?.contains($0.name) ?? true }.reduce(0) { sum, l in
            let steps = options.steps?.count ?? l.shape[0]
            return sum + steps * probes * l.shape[1] * (l.shape[1] + 1) / 2 * 8
        }
    }

    /// The probes: true labels first, then the shuffled controls.
    public var probeCount: Int { cells.reduce(0) { $0 + $1.probes.count + $1.controls.count } }

    /// One generated image: `activations` maps each captured layer to [U, C, h, w]; `labels` holds the image's
    /// label per property, F32 [H, W]. Ids in neither split are ignored.
    public func add(imageID id: String, activations: [String: [Float]], labels: [[Float]]) throws {
        guard labels.count == properties.count,
              labels.allSatisfy({ $0.count == options.labelHeight * options.labelWidth }) else {
            throw StudyError.invalidArgument("image \(id): expected \(properties.count) label(s) of \(options.labelHeight)×\(options.labelWidth)")
        }
        for c in cells where activations[c.layer]?.count != available[c.layerIndex].shape.reduce(1, *) {
            throw StudyError.badInput("image \(id): activations of \(c.layer) missing or not \(available[c.layerIndex].shape)")
        }
        if let i = trainIndex[id] {
            guard trainSeen.insert(id).inserted else { throw StudyError.invalidArgument("image \(id) streamed twice") }
            try addTraining(i, activations, labels)
            if trainSeen.count == trainIndex.count { try fitAll() }
        } else if let t = testIndex[id] {
            guard fitted else {
                throw StudyError.invalidArgument("test image \(id) arrived before every training image "
                    + "(\(trainSeen.count)/\(trainIndex.count)); hint: generate in StreamingProbeStudy.generationOrder")
            }
            guard testSeen.insert(id).inserted else { throw StudyError.invalidArgument("image \(id) streamed twice") }
            try addTest(t, id, activations, labels)
        }
    }

    func addTraining(_ i: Int, _ activations: [String: [Float]], _ labels: [[Float]]) throws {
        baseline.add(labels)
        for c in cells {
            try Self.withSlice(activations[c.layer]!, c) { a in
                for (k, p) in c.probes.enumerated() { try add(p, a, c.shape, labels[k]) }
            }
        }
        guard options.shuffledControl else { return }
        // This image trains the controls with train[controlPerm[i]]'s label; its own label is for controlSource[i].
        let j = controlPerm[i]
        if j == i {
            try addControls(activations, labels)
        } else if let l = pendingLabels.removeValue(forKey: j) {
            try addControls(activations, l)
        } else {
            pendingImages[j] = activations
            maxHeldImages = max(maxHeldImages, pendingImages.count)
        }
        let waiting = controlSource[i]
        if waiting != i {
            if let a = pendingImages.removeValue(forKey: i) {
                try addControls(a, labels)
            } else {
                pendingLabels[i] = labels
            }
        }
    }

    func addControls(_ activations: [String: [Float]], _ labels: [[Float]]) throws {
        for c in cells {
            try Self.withSlice(activations[c.layer]!, c) { a in
                for (k, p) in c.controls.enumerated() { try add(p, a, c.shape, labels[k]) }
            }
        }
    }

    func add(_ p: ProbeInstance, _ a: UnsafeBufferPointer<Float>, _ shape: [Int], _ label: [Float]) throws {
        try label.withUnsafeBufferPointer { l in
            try ProbeStudyResults.wrap {
                try p.addExample(activation: a, activationShape: shape, label: l,
                                 labelShape: [options.labelHeight, options.labelWidth])
            }
        }
    }

    /// Calls `body` with the [C, h, w] slice of `all` ([U, C, h, w]) at the cell's step, without copying.
    static func withSlice(_ all: [Float], _ c: Cell, _ body: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        let n = c.shape.reduce(1, *)
        try all.withUnsafeBufferPointer { b in
            try body(UnsafeBufferPointer(rebasing: b[(c.step * n)..<((c.step + 1) * n)]))
        }
    }

    func fitAll() throws {
        guard pendingImages.isEmpty else {
            throw StudyError.invalidArgument("\(pendingImages.count) training image(s) still wait for a control label")
        }
        let total = probeCount
        let start = Date()
        var done = 0, last = Date()
        log("probe: fitting \(total) probes (\(cells.count) cells × \(properties.count) properties"
            + (options.shuffledControl ? " × 2 with the shuffled control)" : ")"))
        for k in cells.indices {
            for p in cells[k].probes + cells[k].controls {
                try ProbeStudyResults.wrap { try p.fit() }
                done += 1
            }
            for (m, p) in properties.enumerated() {
                let c = cells[k]
                try results.recordWeights(c.probes[m], property: p.name, layer: c.layer, step: c.step, channels: c.shape[0])
                if options.shuffledControl {
                    try results.recordWeights(c.controls[m], property: p.name + ":shuffled", layer: c.layer, step: c.step,
                                              channels: c.shape[0])
                }
            }
            if Date().timeIntervalSince(last) > 5 {
                last = Date()
                let per = Date().timeIntervalSince(start) / Double(done)
                log(String(format: "probe: fit %d/%d, %.3f s/probe, ETA %.0f s", done, total, per, per * Double(total - done)))
            }
        }
        log(String(format: "probe: fitted %d probes in %.1f s", total, Date().timeIntervalSince(start)))
        fitted = true
    }

    func addTest(_ t: Int, _ id: String, _ activations: [String: [Float]], _ labels: [[Float]]) throws {
        try AtomicFile.createFolder(out)
        let H = options.labelHeight, W = options.labelWidth
        for (m, p) in properties.enumerated() {
            layoutValues.set(property: m, test: t, baseline.measureLayout(m, label: labels[m]))
            if p.kind == .binary { capValues[m][t] = baseline.capDice(label: labels[m]) }
        }
        for k in cells.indices {
            let c = cells[k]
            try Self.withSlice(activations[c.layer]!, c) { a in
                for (m, p) in properties.enumerated() {
                    let pred = try ProbeStudyResults.wrap {
                        try c.probes[m].predict(activation: a, activationShape: c.shape, height: H, width: W)
                    }
                    cells[k].values.set(property: m, test: t,
                                        ProbeStudyResults.measure(kind: p.kind, prediction: pred, label: labels[m]))
                    if predictionIDs.contains(id) && predictionLayers.contains(c.layer) {
                        try results.writePrediction(out: out, property: p, layer: c.layer, step: c.step, id: id,
                                                    prediction: pred, label: labels[m], height: H, width: W)
                    }
                    if options.shuffledControl {
                        let q = try ProbeStudyResults.wrap {
                            try c.controls[m].predict(activation: a, activationShape: c.shape, height: H, width: W)
                        }
                        cells[k].controlValues.set(property: m, test: t,
                                                   ProbeStudyResults.measure(kind: p.kind, prediction: q, label: labels[m]))
                    }
                }
            }
        }
    }

    /// After the last image: the metric rows, probe weights, charts and report (as ProbeStudy writes them).
    /// `runFolder`: where the run's images and manifest.json are, for the report.
    @discardableResult
    public func finish(runFolder: URL) throws -> [MetricRow] {
        let missingTrain = trainIndex.count - trainSeen.count, missingTest = testIndex.count - testSeen.count
        guard missingTrain == 0, missingTest == 0 else {
            throw StudyError.invalidArgument("the stream ended with \(missingTrain) training and \(missingTest) test "
                                             + "image(s) of the split missing")
        }
        try AtomicFile.createFolder(out)
        for c in cells {
            results.appendRows(layer: c.layer, step: c.step, suffix: "", properties: properties,
                               perImage: c.values.inTestOrder, options: options)
            if options.shuffledControl {
                results.appendRows(layer: c.layer, step: c.step, suffix: ":shuffled", properties: properties,
                                   perImage: c.controlValues.inTestOrder, options: options)
            }
        }
        results.appendBaselineRows(properties: properties, layout: layoutValues.inTestOrder, cap: capValues,
                                   options: options)
        // Predictions in ProbeStudy's order: layer, step, test image, property.
        let layerOrder = Dictionary(available.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let propertyOrder = Dictionary(properties.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        results.predictions.sort { a, b in
            let ka = [layerOrder[a.layer] ?? 0, a.step, testIndex[a.id] ?? 0, propertyOrder[a.property] ?? 0]
            let kb = [layerOrder[b.layer] ?? 0, b.step, testIndex[b.id] ?? 0, propertyOrder[b.property] ?? 0]
            return ka.lexicographicallyPrecedes(kb)
        }
        try results.writeTables(out: out, options: options)
        try results.writeWeights(out: out, probe: probe.specText)
        let manifest = (try? String(contentsOf: runFolder.appendingPathComponent("manifest.json"), encoding: .utf8)) ?? ""
        try StudyReport(out: out, rows: results.rows, predictions: results.predictions,
                        properties: properties.map { ($0.name, $0.kind) }, split: options.split, manifest: manifest,
                        runPath: runFolder.path, gaps: results.gaps).write()
        return results.rows
    }

    public var rows: [MetricRow] { results.rows }
    public var predictions: [PredictionRecord] { results.predictions }
    public var weights: [String: [String: (shape: [Int], values: [Float])]] { results.weights }
}
