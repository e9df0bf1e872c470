// The probe study over a stored run folder (`probe`, `pipeline --from-disk`): the run's activations are read
// back cell by cell; each image's labels are computed once, in memory, by the property's labeler from the run's
// image (estimators label the image; importers read their source), kept in <study>/labels unless asked not to.
import FileFormats
import Foundation
import PluginHost
import Study

public struct StoredRunStudy {
    public var run: URL
    public var config: StudyConfig
    public var out: URL
    /// A run of the same ids with a permuted-weights UNet: its cells become the `PROPERTY:permuted` rows.
    public var permutedRun: (run: URL, seed: UInt64)?

    public init(run: URL, config: StudyConfig, out: URL) {
        self.run = run
        self.config = config
        self.out = out
    }

    /// Runs the study (out/metrics.csv, probes, report, study.json).
    @discardableResult
    public func execute(registry: PluginRegistry, log: @escaping (String) -> Void) throws -> StudyOutcome {
        let runs = try RunActivations(run: run)
        let control = try permutedRun.map { try RunActivations(run: $0.run) }
        let probe = try registry.probe(spec: config.probe)
        let properties = try config.properties(registry)
        let (h, w) = try labelSize(runs)
        let calls = try runs.layers.first.map { try runs.shape(layer: $0)[0] } ?? 0
        let options = try config.options(ids: runs.ids, layers: runs.layers, calls: calls, height: h, width: w)
        try AtomicFile.createFolder(out)
        let study = ProbeStudy(run: runs, properties: properties, probe: probe, options: options, out: out,
                               controlRun: control)
        try labelInMemory(runs, properties, ids: options.split.train + options.split.test, height: h, width: w,
                          log: log) { study.setLabel(property: $0, id: $1, values: $2) }
        log("probe: \(runs.ids.count) images (\(options.split.train.count) train, \(options.split.test.count) test), "
            + "\((options.layers ?? runs.layers).count) layers, labels \(h)×\(w), properties "
            + properties.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", "))
        let rows = try study.run(log: log)
        try StudyRecord(run: run, activations: runs.activationsFolder.path, config: config, probe: probe.specText,
                        options: options, layers: study.layers, calls: options.steps ?? Array(0..<calls),
                        permutedRun: permutedRun).write(to: out)
        return StudyOutcome(rows: rows, predictions: study.predictions, split: options.split,
                            properties: properties.map { ($0.name, $0.kind) }, runPath: run.path,
                            manifest: runs.manifestText ?? "")
    }

    /// Labels every image from the run's PNG (nil when the run has none: importers need no image).
    func labelInMemory(_ runs: RunActivations, _ properties: [StudyProperty], ids: [String], height: Int, width: Int,
                       log: (String) -> Void, set: (String, String, [Float]) -> Void) throws {
        var lastNote = Date.distantPast
        for (i, id) in ids.enumerated() {
            let image = try runs.imageURL(id).map { try PNGImage.read($0) }
            for p in properties {
                let l = try p.label(imageID: id, image: image, height: height, width: width)
                set(p.name, id, l)
                if config.keepLabels {
                    try NpyArray(float32: l, shape: [height, width]).write(
                        to: out.appendingPathComponent("labels").appendingPathComponent(p.name)
                            .appendingPathComponent(id + ".npy"))
                }
            }
            if Date().timeIntervalSince(lastNote) > 2 || i == ids.count - 1 {
                lastNote = Date()
                log("label image \(i + 1)/\(ids.count)")
            }
        }
    }

    /// The configured label size, else the run's image size, else 8× the largest activation grid.
    func labelSize(_ runs: RunActivations) throws -> (Int, Int) {
        if let h = config.labelHeight { return (h, config.labelWidth ?? h) }
        if let id = runs.ids.first, let u = runs.imageURL(id), let img = try? PNGImage.read(u) {
            return (img.height, img.width)
        }
        let grid = try runs.layers.map { try runs.shape(layer: $0) }.map { max($0[2], $0[3]) }.max() ?? 64
        return (8 * grid, 8 * grid)
    }
}
