// The object word's word map (a word-map plugin, DAAM by default) as a predictor of the foreground label, per step,
// beside the probe: for each test image and UNet call, the word's map from that call's cross-attention alone (one
// plugin instance fed only that call), at the label size (DAAM: min-max normalised), is the mask
// `map > mask_threshold` (DAAM's τ = 0.4), scored with the probe's Dice against the label. A call the plugin leaves
// out (its `steps`) has no map. The object word is the classifier's target class (by default the class the prompt names
// first).
// DAAM's own map (every step summed) is scored too, as layer `daam-all-steps` at the last call.
// The values join per_image_metrics.csv as `<property>:wordmap` (layer `daam`), and metrics.csv, gaps.csv and
// report.html are rewritten from it (StudyFolder.reanalyse), so the report draws the curve beside the probe's.
import FileFormats
import Foundation
import Pipeline
import PluginABI
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
    let plugin: WordMapPlugin
    /// Calls scored (the study's steps; nil: every call).
    let calls: Set<Int>?
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
    private var callCount = 0

    /// nil when the study has no binary property to score against. `targets`: the classifier's targets (the
    /// object word is the target class's name); `wordMap` makes the maps (its mask threshold is the plugin's).
    public init?(properties: [(name: String, kind: LabelKind)], options: ProbeStudyOptions,
                 targets: ClassificationTargets, tokenizer: CLIPTokenizer, wordMap: WordMapPlugin) throws {
        let binary = properties.indices.filter { properties[$0].kind == LabelKind.binary }
        guard let k = binary.first(where: { properties[$0].name == "foreground" }) ?? binary.first else { return nil }
        property = properties[k].name
        propertyIndex = k
        split = options.split
        labelHeight = options.labelHeight
        labelWidth = options.labelWidth
        threshold = Float(try wordMap.instantiate().maskThreshold)
        plugin = wordMap
        calls = options.steps.map(Set.init)
        self.targets = targets
        self.tokenizer = tokenizer
        collector = WordMapCollector(plugin: wordMap, tokenizer: tokenizer, perStep: true, alsoTotal: true,
                                     calls: calls, spans: { [unowned self] job, w in self.spans(job, w) },
                                     handler: { [unowned self] r in
                                         try self.mapsDone(job: r.job, perStep: r.perStep, total: r.total)
                                     })
    }

    /// The object word and its token positions in a test image's prompt ([] for a training image or no object word).
    func spans(_ job: ImageJob, _ w: PromptWords) -> [(text: String, positions: [Int])] {
        guard split.test.contains(job.id) else { return [] }
        let word = targets.target(id: job.id, promptIndex: job.promptIndex, prompt: job.prompt).map { targets.labels[$0] }
        words[job.id] = word
        guard let word, let positions = w.positions(of: word) else { return [] }
        return [(word, positions)]
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
    func mapsDone(job: ImageJob, perStep: [WordMapInstance?], total: WordMapInstance?) throws {
        callCount = max(callCount, perStep.count)
        guard words[job.id] ?? nil != nil else { return }
        let maps = try (perStep + [total]).map { wm -> [Float]? in
            guard let wm else { return nil }
            do { return try wm.finish(height: labelHeight, width: labelWidth) } catch PluginError.callFailed(_, _, let status, _)
                where status == Int32(LDMP_ERR_INVALID_ARGUMENT.rawValue) && wm !== total {
                return nil  // a call the plugin leaves out: nothing usable was added
            }
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
            let kept = spans(job, w)
            guard !kept.isEmpty, !StoredProbabilities.files(run: folder, id: job.id).isEmpty else { continue }
            func make() throws -> WordMapInstance {
                try WordMapCollector.begin(plugin, words: w, spans: kept, latentHeight: latentHeight,
                                           latentWidth: latentWidth)
            }
            var perStep: [Int: WordMapInstance] = [:]
            let total = try make()
            let n = try StoredProbabilities.feed(run: folder, id: job.id) { point, k, values in
                guard calls?.contains(k) ?? true else { return }
                try WordMapCollector.add(total, point, k, values)
                if perStep[k] == nil { perStep[k] = try make() }
                try WordMapCollector.add(perStep[k]!, point, k, values)
            }
            try mapsDone(job: job, perStep: (0 ..< n).map { perStep[$0] }, total: total)
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
        // Entries 0 ..< callCount: one per call; entry `callCount`: the all-steps map, reported at the last call.
        for entry in 0 ... callCount where dice.values.contains(where: { entry < $0.count && $0[entry] != nil }) {
            for id in split.test {
                let v = dice[id].flatMap { entry < $0.count ? $0[entry] : nil }
                values.append(PerImageMetric(property: property, control: Self.control,
                                             layer: entry == callCount ? Self.allStepsLayer : Self.layer,
                                             step: min(entry, callCount - 1), image: id, metric: "dice", value: v))
            }
        }
        try PerImageMetric.write(values, to: file)
        return try StudyFolder.reanalyse(study: study, runFolder: runFolder, seed: seed, resamples: resamples)
    }
}
