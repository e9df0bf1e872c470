// The in-process study equals the stored one (Studies.PipelineStudy on tiny-sd, ddim, 3 steps, 64×64, 8 images,
// two world estimators): activations streamed into lstsq probes give the stored run's metrics to rounding (the
// sums run in another order); fit=adam with every image held in memory, or spilled to a temporary folder, gives
// them exactly. Also: the streamed run stores no activations, the spill folder is removed, labels and
// study.json are kept, and study.json records the run manifest's sha256.
import FileFormats
import Foundation
import Pipeline
import Study
import Studies
import XCTest

final class StreamedEqualsStoredTests: XCTestCase {
    static let estimators = Fixtures.repository.appendingPathComponent("Assets/demo/estimators")

    static func config(_ out: URL, probe: String, fromDisk: Bool = false, memoryLimit: Int = 1 << 30) throws -> PipelineConfig {
        var g = GenerationConfig(model: Fixtures.root.appendingPathComponent("tiny-sd").path)
        g.tokenizer = Fixtures.tokenizer
        g.steps = 3
        let prompts = ["a red cube on a floor", "a blue sphere", "a green cone on grass", "two cubes"]
        let jobs = (0..<8).map { i in ImageJob(row: PromptRow(prompt: prompts[i % 4], seed: UInt64(i), promptIndex: i)) }
        var c = PipelineConfig(generation: g, jobs: jobs, out: out)
        c.samplers = ["ddim"]
        c.study = StudyConfig(labels: try [
            "fg=world-foreground,weights=\(Self.estimators.path)/world-foreground.safetensors",
            "depth=world-depth,weights=\(Self.estimators.path)/world-depth.safetensors",
        ].map(LabelSpec.init(parsing:)))
        c.study.probe = probe
        c.study.bootstrap = 50
        c.fromDisk = fromDisk
        c.activationDType = .float32
        c.memoryLimit = memoryLimit
        return c
    }

    func rows(_ c: PipelineConfig) throws -> [MetricRow] {
        let registry = try Plugins.registry()
        let results = try PipelineStudy(config: c, registry: registry, progress: false) { _ in }.run()
        XCTAssertEqual(results.count, 1)
        return try XCTUnwrap(results.first).study.rows
    }

    /// Keys must agree row by row; returns the maxdiff over value, ci_low and ci_high (NaN-aware).
    func maxdiff(_ a: [MetricRow], _ b: [MetricRow], _ what: String) -> Float {
        XCTAssertEqual(a.count, b.count, what)
        XCTAssertEqual(a.map { "\($0.layer) \($0.step) \($0.property) \($0.metric) \($0.n)" },
                       b.map { "\($0.layer) \($0.step) \($0.property) \($0.metric) \($0.n)" }, what)
        let x = a.flatMap { [$0.value, $0.ci_low, $0.ci_high] }.map(Float.init)
        let y = b.flatMap { [$0.value, $0.ci_low, $0.ci_high] }.map(Float.init)
        XCTAssertGreaterThan(x.filter(\.isFinite).count, a.count, "\(what): too few finite values to compare")
        return Fixtures.maxdiff(x, y)
    }

    func testStreamedEqualsStoredLstsq() throws {
        let tmp = Fixtures.scratch("streamed")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let streamed = try rows(Self.config(tmp.appendingPathComponent("stream"), probe: "linear:fit=lstsq"))
        let stored = try rows(Self.config(tmp.appendingPathComponent("disk"), probe: "linear:fit=lstsq", fromDisk: true))
        let d = maxdiff(streamed, stored, "lstsq")
        print("studies: lstsq streamed vs stored f32: \(streamed.count) rows, maxdiff \(d)")
        XCTAssertLessThan(d, 1e-5)
        let fm = FileManager.default
        let base = tmp.appendingPathComponent("stream/ddim")
        XCTAssertFalse(fm.fileExists(atPath: base.appendingPathComponent("run/activations").path))
        XCTAssertTrue(fm.fileExists(atPath: tmp.appendingPathComponent("disk/ddim/run/activations").path))
        for folder in [base, tmp.appendingPathComponent("disk/ddim")] {
            let label = try NpyArray.readFloats(folder.appendingPathComponent("study/labels/depth/prompt_0_seed_0.npy"))
            XCTAssertEqual(label.shape, [64, 64])
            let record = try JSONDecoder().decode(StudyRecord.self,
                                                  from: Data(contentsOf: folder.appendingPathComponent("study/study.json")))
            let manifest = try Data(contentsOf: folder.appendingPathComponent("run/manifest.json"))
            XCTAssertEqual(record.runManifestSHA256, SHA256.hex(manifest))
            XCTAssertEqual(record.probe, "linear:fit=lstsq")
            XCTAssertTrue(record.probeBound.hasPrefix("linear:") && record.probeBound.contains("fit=lstsq"), record.probeBound)
            let probes = try String(decoding: Data(contentsOf: folder.appendingPathComponent("study/probes/fg.safetensors"))
                .prefix(4096), as: UTF8.self)
            XCTAssertTrue(probes.contains("\"probe\":\"\(record.probeBound)\""), "the probes' metadata lacks their spec")
            XCTAssertEqual(record.labels.map(\.name), ["fg", "depth"])
            XCTAssertEqual(record.split.train + record.split.test, 8)
        }
    }

    func testInMemoryAndSpilledEqualStoredAdam() throws {
        let tmp = Fixtures.scratch("adam")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let probe = "linear:epochs=2"
        let memory = try rows(Self.config(tmp.appendingPathComponent("memory"), probe: probe))
        let spill = try rows(Self.config(tmp.appendingPathComponent("spill"), probe: probe, memoryLimit: 1024))
        let stored = try rows(Self.config(tmp.appendingPathComponent("disk"), probe: probe, fromDisk: true))
        let dm = maxdiff(memory, stored, "adam memory"), ds = maxdiff(spill, stored, "adam spill")
        print("studies: adam in memory vs stored f32: maxdiff \(dm); spilled: maxdiff \(ds)")
        XCTAssertEqual(dm, 0)
        XCTAssertEqual(ds, 0)
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp.appendingPathComponent("spill/ddim").path)
        XCTAssertFalse(left.contains { $0.hasSuffix("-activations.tmp") }, "the spill folder must be removed: \(left)")
    }
}
