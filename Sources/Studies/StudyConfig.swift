// The probe study's settings, shared by the in-process study (`pipeline`) and the stored-run study (`probe`):
// properties, the probe, which layers and calls, the split, seeds, bootstrap and controls. Recorded in study.json.
import Foundation
import PluginHost
import Study

public struct StudyConfig: Codable, Sendable {
    public var labels: [LabelSpec] = []
    /// Probe plugin spec, e.g. linear:fit=lstsq.
    public var probe = "linear"
    /// Layer patterns (globs; nil: every captured layer).
    public var layers: [String]?
    /// UNet-call indices (CallIndices grammar; nil: all).
    public var calls: String?
    /// csv:TRAIN.csv[,TEST.csv] or fraction:F[:SEED].
    public var split = "fraction:0.4:0"
    /// Label resolution; nil: the run's image size.
    public var labelHeight: Int?
    public var labelWidth: Int?
    /// Seed of the probes, the shuffled-label control and the bootstrap.
    public var seed: UInt64 = 0
    public var bootstrap = 1000
    public var shuffledControl = true
    public var predictions = 2
    public var predictionLayers: [String]?
    /// Keep every label as <study>/labels/<property>/<id>.npy (float32 [H, W]).
    public var keepLabels = true

    public init(labels: [LabelSpec] = []) { self.labels = labels }

    /// The Study library's options for `ids`, over `layers` (a run's or the capture's names) with `calls` calls.
    public func options(ids: [String], layers available: [String], calls: Int, height: Int,
                        width: Int) throws -> ProbeStudyOptions {
        var o = ProbeStudyOptions(split: try DataSplit.parse(split, ids: ids), labelHeight: height, labelWidth: width)
        o.layers = try layers.map { try LayerPatterns.expand($0, available: available) }
        o.steps = try self.calls.map { try CallIndices($0, flag: "calls").resolve(calls: calls) }
        o.seed = seed
        o.bootstrapResamples = bootstrap
        o.shuffledControl = shuffledControl
        o.predictionImages = predictions
        o.predictionLayers = try predictionLayers.map {
            try LayerPatterns.expand($0, available: available, flag: "prediction-layers")
        }
        return o
    }

    /// The properties, each with its labeler instantiated.
    public func properties(_ registry: PluginRegistry) throws -> [StudyProperty] {
        try labels.map {
            StudyProperty(name: $0.name, labeler: try registry.labeler(spec: $0.labeler).instantiate(source: $0.source))
        }
    }
}
