// The permuted-weights control of `pipeline`: the same prompts and seeds through a UNet whose every weight
// tensor's elements are permuted (seeded), probed with the same probes, layers and split against the main
// study's labels, written to <sampler>/control-permuted/{run,study}; its rows join the sampler's metrics.csv as
// PROPERTY:permuted, and the report is rewritten with them. A probe that reads a property as well from a
// scrambled network measures the probe's capacity, not the model's representation.
import Foundation
import Study

struct PermutedControl {
    let study: PipelineStudy
    let seed: UInt64

    func run(spec: String, main: inout PipelineStudy.SamplerResult, name: String) throws {
        var generation = study.config.generation
        generation.permuteUNetSeed = seed
        study.log("[\(name)] permuted-weights control (seed \(seed)) → \(name)/control-permuted")
        let model = try LoadedModel(generation)
        // The control is probed for the main study's labels (of the real images, kept in study/labels), not
        // for labels of the scrambled network's images.
        var config = study.config.study
        let labels = main.base.appendingPathComponent("study").appendingPathComponent("labels")
        config.labels = main.study.properties.map { name, kind in
            LabelSpec(name: name, labeler: "generic:kind=\(kind.rawValue),ext=npy,resize=nearest",
                      source: labels.appendingPathComponent(name).path)
        }
        config.keepLabels = false
        config.shuffledControl = false
        config.predictions = 0
        let base = main.base.appendingPathComponent("control-permuted")
        _ = try study.runSampler(try study.registry.sampler(spec: spec), model: model, base: base,
                                           name: name + ":permuted", classify: false, studyConfig: config)
        // Per-image values, metrics.csv, gaps.csv and the report all gain the `:permuted` rows.
        let out = main.base.appendingPathComponent("study")
        try StudyFolder.addControl("permuted", from: base.appendingPathComponent("study"), to: out,
                                   runFolder: main.base.appendingPathComponent("run"), seed: config.seed,
                                   resamples: config.bootstrap)
        var outcome = main.study
        outcome.rows = try MetricRow.read(csv: out.appendingPathComponent("metrics.csv"))
        try PermutedControl.record(out: out, run: base.appendingPathComponent("run"), seed: seed)
        main.study = outcome
        main.entry.metricRows = outcome.rows.count
    }

    /// Adds the control to the main study's study.json.
    static func record(out: URL, run: URL, seed: UInt64) throws {
        let url = out.appendingPathComponent("study.json")
        var record = try JSONDecoder().decode(StudyRecord.self, from: Data(contentsOf: url))
        record.controls.append(StudyRecord.Control(name: "permuted", spec: "UNet weights permuted, seed \(seed)",
                                                   run: run.path))
        try record.write(to: out)
    }
}
