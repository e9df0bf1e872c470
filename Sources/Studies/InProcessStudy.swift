// The probe study of one sampler's run, fed in-process while the images are generated (the
// run folder stores no activations unless --keep-activations). Three ways, chosen by the probe and --memory-limit:
//
//   stream  a one-pass probe (linear:fit=lstsq): every image's activations go straight into the probes'
//           sufficient statistics and are dropped (StreamingProbeStudy); memory: the statistics + ~2 images.
//   memory  any other probe (fit=adam trains for epochs over all training images): every image's activations are
//           kept in memory (float32) and the study runs cell by cell over them, as from a run folder.
//   spill   as memory, when they would exceed --memory-limit: written as float32 .npy to a temporary folder
//           beside the run, read back cell by cell, and removed at the end (also on error).
//
// Labels are computed once per image from the decoded image, in memory (--keep-labels also writes them).
import FileFormats
import Foundation
import PluginHost
import Pipeline
import Study

public final class InProcessStudy {
    public enum Mode: String { case stream, memory, spill }

    public let mode: Mode
    public let collector: ImageActivationCollector
    public let options: ProbeStudyOptions
    public let properties: [StudyProperty]
    public let probe: ProbePlugin
    public let out: URL
    public let runFolder: URL
    public let spillFolder: URL
    let log: (String) -> Void
    private var streaming: StreamingProbeStudy?
    private var memory: MemoryActivations?
    /// property → id → label [H·W] (memory and spill; streaming consumes them image by image).
    final class LabelStore { var values: [String: [String: [Float]]] = [:] }
    private let labels = LabelStore()

    /// True for probes fitted in one pass from accumulated statistics (the linear probe's fit=lstsq).
    /// The probe's declared capability (LDMP_CAP_PROBE_ONE_PASS for these parameters; linear: fit=lstsq).
    public static func isOnePass(_ probe: ProbePlugin) -> Bool { probe.isOnePass }

    /// Picks the mode: stream when the probe is one-pass and its statistics fit under `limit` bytes, else memory
    /// when every image's activations fit, else spill. Says why on the log.
    public static func chooseMode(probe: ProbePlugin, points: [CapturePoint], calls: Int, images: Int, properties: Int,
                           options: ProbeStudyOptions, limit: Int, log: (String) -> Void) -> Mode {
        let perImage = ImageActivationCollector.imageBytes(points, calls: calls)
        let layers = points.map { (name: $0.path, shape: [calls] + $0.featureShape) }
        if isOnePass(probe) {
            let stats = StreamingProbeStudy.statisticsBytes(layers: layers, options: options, properties: properties)
            if stats + 2 * perImage <= limit {
                log("streaming: activations go straight into the probes' statistics (\(mib(stats)) for "
                    + "\(layers.count) layers × \(calls) steps × \(properties) properties × "
                    + "\(options.shuffledControl ? 2 : 1)) and are dropped; at most 2 images held (\(mib(perImage)) each)")
                return .stream
            }
            log("the probes' statistics (\(mib(stats))) exceed --memory-limit \(mib(limit)): not streaming")
        }
        let all = perImage * images
        let why = isOnePass(probe) ? "" : "probe \(probe.name) is not one-pass with these parameters (e.g. linear with fit=adam trains for epochs over every training image): "
        if all <= limit {
            log(why + "keeping \(images) images' activations in memory (\(mib(all)), --memory-limit \(mib(limit)))")
            return .memory
        }
        log(why + "\(images) images' activations (\(mib(all))) exceed --memory-limit \(mib(limit)): spilling them to a "
            + "temporary folder, removed at the end")
        return .spill
    }

    static func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    /// `points` in study (UNet) order; `spillFolder` is created only in spill mode (and removed by `cleanUp`).
    public init(mode: Mode, points: [CapturePoint], calls: Int, properties: [StudyProperty], probe: ProbePlugin,
         options: ProbeStudyOptions, out: URL, runFolder: URL, spillFolder: URL, labelsFolder: URL?,
         log: @escaping (String) -> Void) throws {
        self.mode = mode
        self.options = options
        self.properties = properties
        self.probe = probe
        self.out = out
        self.runFolder = runFolder
        self.spillFolder = spillFolder
        self.log = log
        let layers = points.map { (name: $0.path, shape: [calls] + $0.featureShape) }
        var handler: (String, [String: [Float]], [[Float]]) throws -> Void
        switch mode {
        case .stream:
            let study = try StreamingProbeStudy(layers: layers, properties: properties, probe: probe, options: options,
                                                out: out, log: log)
            streaming = study
            handler = { id, a, l in try study.add(imageID: id, activations: a, labels: l) }
        case .memory:
            let m = MemoryActivations(folder: runFolder, layers: layers)
            memory = m
            handler = { id, a, _ in try m.add(id: id, activations: a) }
        case .spill:
            // The folder's name is this process's own (.ldmprobe-<pid>-<random>-…): one that exists is not ours.
            guard !FileManager.default.fileExists(atPath: spillFolder.path) else {
                throw StudiesError.folder(path: spillFolder.path, reason: "exists already; not removing what this run did not make")
            }
            try AtomicFile.createFolder(spillFolder)
            handler = { id, a, _ in
                for (layer, values) in a {
                    try NpyArray(float32: values, shape: layers.first { $0.name == layer }!.shape)
                        .write(to: spillFolder.appendingPathComponent(id).appendingPathComponent(layer + ".npy"))
                }
            }
        }
        if mode != .stream {
            let keep = handler, store = labels
            handler = { id, a, l in
                for (k, p) in properties.enumerated() { store.values[p.name, default: [:]][id] = l[k] }
                try keep(id, a, l)
            }
        }
        collector = ImageActivationCollector(points: points, calls: calls, properties: properties,
                                             labelHeight: options.labelHeight, labelWidth: options.labelWidth,
                                             labelsFolder: labelsFolder, handler: handler)
    }

    /// The jobs in the order to generate them (streaming: training images first, in the control's order).
    public func order(_ jobs: [ImageJob]) -> [ImageJob] {
        guard mode == .stream else { return jobs }
        let rank = Dictionary(StreamingProbeStudy.generationOrder(split: options.split, seed: options.seed,
                                                                  ids: jobs.map(\.id)).enumerated().map { ($1, $0) },
                              uniquingKeysWith: { a, _ in a })
        return jobs.sorted { rank[$0.id, default: .max] < rank[$1.id, default: .max] }
    }

    /// After generation: the study's outputs (metrics, probes, predictions, charts, report).
    public func finish(cellLog: @escaping (String) -> Void) throws -> StudyOutcome {
        defer { cleanUp() }
        let rows: [MetricRow], predictions: [PredictionRecord]
        if let streaming {
            if streaming.maxHeldImages > 1 { log("streaming held up to \(streaming.maxHeldImages) training images") }
            rows = try streaming.finish(runFolder: runFolder)
            predictions = streaming.predictions
        } else {
            let source: ActivationSource
            if let memory { source = memory } else { source = try RunActivations(run: runFolder, activations: spillFolder) }
            let study = ProbeStudy(run: source, properties: properties, probe: probe, options: options, out: out)
            for (name, byID) in labels.values { for (id, l) in byID { study.setLabel(property: name, id: id, values: l) } }
            rows = try study.run(log: cellLog)
            predictions = study.predictions
        }
        let manifest = (try? String(contentsOf: runFolder.appendingPathComponent("manifest.json"), encoding: .utf8)) ?? ""
        return StudyOutcome(rows: rows, predictions: predictions, split: options.split,
                            properties: properties.map { ($0.name, $0.kind) }, runPath: runFolder.path, manifest: manifest)
    }

    /// Removes the spill folder (spill mode) and drops what is held in memory.
    public func cleanUp() {
        memory = nil
        labels.values = [:]
        if mode == .spill { try? FileManager.default.removeItem(at: spillFolder) }
    }
}
