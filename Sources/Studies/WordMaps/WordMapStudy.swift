// The object word's DAAM map as a predictor of the foreground label, per step, beside the probe: for each test
// image and UNet call, the word's map from that call's cross-attention alone (DAAM's other defaults), expanded to
// the label size and min-max normalised, is the mask `map > threshold` (DAAM's τ = 0.4), scored with the probe's
// Dice against the label. The object word is the classifier's target class (by default the class the prompt names
// first).
// DAAM's own map (every step summed) is scored too, as layer `daam-all-steps` at the last call.
// The values join per_image_metrics.csv as `<property>:wordmap` (layer `daam`), and metrics.csv, gaps.csv and
// report.html are rewritten from it (StudyFolder.reanalyse), so the report draws the curve beside the probe's.
import FileFormats
import Foundation
import Pipeline
import PluginHost
import Study
import Tokenizer

public final class WordMapStudy {
    /// The control suffix and layer name of the rows.
    public static let control = "wordmap", layer = "daam"
    /// The layer of the row of DAAM's default map (every step summed), at the last step.
    public static let allStepsLayer = "daam-all-steps"

    let property: String
    let propertyIndex: Int
    let split: DataSplit
    let labelHeight: Int
    let labelWidth: Int
    let threshold: Float
    let mapOptions: WordMapOptions
    let targets: ClassificationTargets
    let tokenizer: CLIPTokenizer
    public private(set) var collector: WordMapCollector!
    /// id → the object word (nil: the prompt names no class).
    private var words: [String: String?] = [:]
    /// id → label, until the image's maps arrive (and the other way round).
    private var pendingLabels: [String: [Float]] = [:]
    private var pendingMaps: [String: [[Float]?]] = [:]
    /// id → Dice per call (nil: no word or a call left out).
    private var dice: [String: [Double?]] = [:]
    private var calls = 0

    /// nil when the study has no binary property to score against. `targets`: the classifier's targets (the
    /// object word is the target class's name).
    public init?(properties: [(name: String, kind: LabelKind)], options: ProbeStudyOptions,
                 targets: ClassificationTargets, tokenizer: CLIPTokenizer, wordMaps: WordMapOptions = WordMapOptions()) {
        let binary = properties.indices.filter { properties[$0].kind == LabelKind.binary }
        guard let k = binary.first(where: { properties[$0].name == "foreground" }) ?? binary.first else { return nil }
        property = properties[k].name
        propertyIndex = k
        split = options.split
        labelHeight = options.labelHeight
        labelWidth = options.labelWidth
        threshold = wordMaps.threshold
        var o = wordMaps
        if o.steps == nil { o.steps = options.steps }
        mapOptions = o
        self.targets = targets
        self.tokenizer = tokenizer
        collector = WordMapCollector(options: o, tokenizer: tokenizer, perStep: true, alsoTotal: true,
                                     positions: { [unowned self] job, w in self.positions(job, w) },
                                     handler: { [unowned self] r in
                                         try self.mapsDone(job: r.job, words: r.words, perStep: r.perStep, total: r.total)
                                     })
    }

    /// The object word's token positions in a test image's prompt ([] for a training image or no object word).
    func positions(_ job: ImageJob, _ w: PromptWords) -> [Int] {
        guard split.test.contains(job.id) else { return [] }
        let word = targets.target(id: job.id, promptIndex: job.promptIndex, prompt: job.prompt).map { targets.labels[$0] }
        words[job.id] = word
        return word.flatMap { w.positions(of: $0) } ?? []
    }

    /// The labels of an image (every property's, as the activation collector computes them).
    public func labelsDone(id: String, labels: [[Float]]) {
        guard propertyIndex < labels.count else { return }
        labelDone(id: id, label: labels[propertyIndex])
    }

    func labelDone(id: String, label: [Float]) {
        guard split.test.contains(id) else { return }
        if let maps = pendingMaps.removeValue(forKey: id) { score(id, maps, label) } else { pendingLabels[id] = label }
    }

    /// Scores the per-step maps and, as one more entry, the all-steps map.
    func mapsDone(job: ImageJob, words w: PromptWords, perStep: [WordMapAggregator?], total: WordMapAggregator?) throws {
        calls = max(calls, perStep.count)
        guard let word = words[job.id] ?? nil, let positions = w.positions(of: word) else { return }
        let maps = (perStep + [total]).map { agg -> [Float]? in
            guard let agg, !agg.isEmpty else { return nil }
            let g = agg.globalMap()
            return WordMapAggregator.expand(agg.wordMap(g.maps, word: positions), height: g.height, width: g.width,
                                            toHeight: labelHeight, toWidth: labelWidth, minMax: true)
        }
        if let label = pendingLabels.removeValue(forKey: job.id) { score(job.id, maps, label) } else {
            pendingMaps[job.id] = maps
        }
    }

    /// A stored run (`--from-disk`): each test image's stored `…attn2.probs` captures (StoredProbabilities) and
    /// its kept label `<labels>/<property>/<id>.npy`. Returns the images scored.
    @discardableResult
    public func scoreStored(run: URL, jobs: [ImageJob], labels: URL, latentHeight: Int, latentWidth: Int) throws -> Int {
        let folder = RunFolder(run)
        for job in jobs where split.test.contains(job.id) {
            let w = PromptWords(prompt: job.prompt, tokenizer: tokenizer)
            let kept = positions(job, w)
            guard !kept.isEmpty, !StoredProbabilities.files(run: folder, id: job.id).isEmpty else { continue }
            var perStep: [Int: WordMapAggregator] = [:]
            var total = WordMapAggregator(options: mapOptions, positions: kept, latentHeight: latentHeight,
                                          latentWidth: latentWidth)
            let calls = try StoredProbabilities.feed(run: folder, id: job.id) { point, k, values in
                guard mapOptions.includes(step: k) else { return }
                try total.add(point: point, call: k, values: values)
                if perStep[k] == nil {
                    var o = mapOptions
                    o.steps = [k]
                    perStep[k] = WordMapAggregator(options: o, positions: kept, latentHeight: latentHeight,
                                                   latentWidth: latentWidth)
                }
                try perStep[k]?.add(point: point, call: k, values: values)
            }
            try mapsDone(job: job, words: w, perStep: (0 ..< calls).map { perStep[$0] }, total: total)
            let labelFile = labels.appendingPathComponent(property).appendingPathComponent(job.id + ".npy")
            labelDone(id: job.id, label: try NpyArray.read(labelFile).floats())
        }
        return dice.count
    }

    func score(_ id: String, _ maps: [[Float]?], _ label: [Float]) {
        let t = threshold
        dice[id] = maps.map { map in
            guard let map, map.count == label.count else { return nil }
            // Logits [background = τ, foreground = map]: the probe's Dice with its argmax rule.
            return Metrics.dice(logits: [Float](repeating: t, count: map.count) + map, label: label)
        }
    }

    /// Test images scored (with an object word in the prompt).
    public var scored: Int { dice.count }

    /// Adds the values to the study folder's per_image_metrics.csv and rewrites metrics.csv, gaps.csv and the
    /// report from it; returns the new metric rows (nil when no test image was scored).
    public func finish(study: URL, runFolder: URL, seed: UInt64, resamples: Int) throws -> [MetricRow]? {
        guard !dice.isEmpty else { return nil }
        let file = study.appendingPathComponent("per_image_metrics.csv")
        var values = try PerImageMetric.read(file).filter { $0.control != Self.control }
        // Entries 0 ..< calls: one per call; entry `calls`: the all-steps map, reported at the last call.
        for entry in 0 ... calls where dice.values.contains(where: { entry < $0.count && $0[entry] != nil }) {
            for id in split.test {
                let v = dice[id].flatMap { entry < $0.count ? $0[entry] : nil }
                values.append(PerImageMetric(property: property, control: Self.control,
                                             layer: entry == calls ? Self.allStepsLayer : Self.layer,
                                             step: min(entry, calls - 1), image: id, metric: "dice", value: v))
            }
        }
        try PerImageMetric.write(values, to: file)
        return try StudyFolder.reanalyse(study: study, runFolder: runFolder, seed: seed, resamples: resamples)
    }
}
