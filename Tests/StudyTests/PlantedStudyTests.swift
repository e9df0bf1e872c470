// End to end: a synthetic run folder whose activations carry a planted linear representation of depth and
// foreground at steps 1–2 (not at step 0, not in the other layer). `ProbeStudy` must find it (Spearman ≈ 1,
// high Dice), the shuffled-label control must not, and every output file must be written.
import FileFormats
import Foundation
import PluginHost
import Study
import XCTest

final class PlantedStudyTests: XCTestCase {
    static let planted = "up_blocks.3.attentions.0.transformer_blocks.0.attn1"
    static let other = "down_blocks.0.attentions.0.transformer_blocks.0.attn1"

    /// Writes run/activations/<id>/<layer>.npy (f16 [3, 2, C, h, w] and [3, C, h, w]) and labels/depth/<id>.npy, labels/fg/<id>.png.
    static func makeRun(_ root: URL, images: Int) throws {
        var rng = StudyRandom(seed: 42)
        func normal() -> Float {
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12), u2 = Double(rng.next() >> 11) / Double(1 << 53)
            return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
        let C = 12, h = 8, w = 8, H = 32, W = 32
        let wTrue = (0..<C).map { _ in normal() }
        for i in 0..<images {
            let id = String(format: "img_%02d", i)
            let a = (0..<(C * h * w)).map { _ in normal() }
            var steps: [Float] = (0..<(C * h * w)).map { _ in normal() }         // step 0: unrelated
            steps += a.map { $0 + 0.3 * normal() }                               // step 1: noisy
            steps += a                                                           // step 2: exact
            let folder = root.appendingPathComponent("run/activations/\(id)")
            // Stored with both branches, [U, 2, C, h, w]: index 0 (unconditional) is noise, the reader must take 1.
            var both: [Float] = []
            for s in 0..<3 { both += (0..<(C * h * w)).map { _ in normal() } + steps[(s * C * h * w)..<((s + 1) * C * h * w)] }
            try NpyArray(float16: both, shape: [3, 2, C, h, w]).write(to: folder.appendingPathComponent(PlantedStudyTests.planted + ".npy"))
            try NpyArray(float16: (0..<(3 * 4 * 4 * 4)).map { _ in normal() }, shape: [3, 4, 4, 4])
                .write(to: folder.appendingPathComponent(PlantedStudyTests.other + ".npy"))
            // The labels are the planted map of the f16-rounded step-2 activation, upsampled ×4 (nearest).
            let a16 = NpyArray(float16: a, shape: [C * h * w]).floats()
            var depth = [Float](repeating: 0, count: H * W), mask = [UInt8](repeating: 0, count: H * W)
            for y in 0..<H {
                for x in 0..<W {
                    let t = (y / 4) * w + x / 4
                    var s: Float = 0
                    for c in 0..<C { s += wTrue[c] * a16[c * h * w + t] }
                    depth[y * W + x] = s
                    mask[y * W + x] = s > 0 ? 255 : 0
                }
            }
            try NpyArray(float32: depth, shape: [H, W]).write(to: root.appendingPathComponent("labels/depth/\(id).npy"))
            try PNGImage(width: W, height: H, channels: 1, bytes: mask).write(to: root.appendingPathComponent("labels/fg/\(id).png"))
        }
        try AtomicFile.write("{\"note\": \"synthetic planted run\"}", to: root.appendingPathComponent("run/manifest.json"))
    }

    func runStudy(_ root: URL, probe: String, out: String) throws -> [MetricRow] {
        let reg = try StudyFixtures.registry()
        let run = try RunActivations(run: root.appendingPathComponent("run"))
        XCTAssertEqual(run.layers, [PlantedStudyTests.other, PlantedStudyTests.planted])
        let props = [
            StudyProperty(name: "depth", labeler: try reg.labeler(spec: "generic").instantiate(source: root.appendingPathComponent("labels/depth").path)),
            StudyProperty(name: "fg", labeler: try reg.labeler(spec: "tracer").instantiate(source: root.appendingPathComponent("labels/fg").path)),
        ]
        var options = ProbeStudyOptions(split: try DataSplit.parse("fraction:0.5:1", ids: run.ids), labelHeight: 32, labelWidth: 32)
        options.bootstrapResamples = 200
        let study = ProbeStudy(run: run, properties: props, probe: try reg.probe(spec: probe), options: options,
                               out: root.appendingPathComponent(out))
        return try study.run(log: { _ in })
    }

    func value(_ rows: [MetricRow], _ layer: String, _ step: Int, _ property: String, _ metric: String) -> Double {
        rows.first { $0.layer == layer && $0.step == step && $0.property == property && $0.metric == metric }?.value ?? .nan
    }

    func testPlantedRepresentationIsFoundAndControlsAreNot() throws {
        let root = try StudyFixtures.temporaryFolder("planted")
        defer { try? FileManager.default.removeItem(at: root) }
        try PlantedStudyTests.makeRun(root, images: 24)
        let rows = try runStudy(root, probe: "linear:fit=lstsq", out: "lstsq")
        let P = PlantedStudyTests.planted
        let s2 = value(rows, P, 2, "depth", "spearman"), s1 = value(rows, P, 1, "depth", "spearman")
        let s0 = value(rows, P, 0, "depth", "spearman"), sh = value(rows, P, 2, "depth:shuffled", "spearman")
        let d2 = value(rows, P, 2, "fg", "dice"), dsh = value(rows, P, 2, "fg:shuffled", "dice")
        let so = value(rows, PlantedStudyTests.other, 2, "depth", "spearman")
        print("planted (lstsq): depth spearman step2 \(s2), step1 \(s1), step0 \(s0), shuffled \(sh), other layer \(so); fg dice step2 \(d2), shuffled \(dsh)")
        XCTAssertGreaterThan(s2, 0.999)
        XCTAssertGreaterThan(s1, 0.8)
        XCTAssertLessThan(abs(s0), 0.3)
        XCTAssertLessThan(abs(sh), 0.5)
        XCTAssertLessThan(sh, s2 - 0.4)
        XCTAssertLessThan(abs(so), 0.3)
        XCTAssertGreaterThan(d2, 0.95)
        XCTAssertLessThan(dsh, d2 - 0.2)
        // Intervals bracket the mean; n = test images.
        let r = rows.first { $0.layer == P && $0.step == 2 && $0.property == "depth" && $0.metric == "spearman" }!
        XCTAssertTrue(r.ci_low <= r.value && r.value <= r.ci_high)
        XCTAssertEqual(r.n, 12)
        // layers × steps × (property + control) × metrics, then the layout rows (3 + 1) and fg:cap
        XCTAssertEqual(rows.count, 2 * 3 * 2 * (3 + 1) + (3 + 1) + 1)
        let out = root.appendingPathComponent("lstsq")
        for f in ["metrics.csv", "metrics.json", "report.html", "plots/depth_spearman.svg", "plots/fg_shuffled_dice.svg",
                  "probes/depth.safetensors", "probes/fg_shuffled.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), "missing \(f)")
        }
        let saved = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("predictions/fg/\(P)").path)
        XCTAssertEqual(saved.count, 2 * 3, "2 test images × 3 steps of predicted maps")
        XCTAssertEqual(try MetricRow.read(csv: out.appendingPathComponent("metrics.csv")).count, rows.count)
        // The safetensors header names every (layer, step) weight with its shape.
        let st = try Data(contentsOf: out.appendingPathComponent("probes/fg.safetensors"))
        let len = st.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: st.subdata(in: 8..<(8 + len))) as! [String: Any]
        let entry = header["\(P)/step_2/weight"] as! [String: Any]
        XCTAssertEqual(entry["shape"] as! [Int], [2, 12])
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("synthetic planted run") && html.contains("<svg") && html.contains("data:image/png;base64"))
    }

    func testPlantedWithAdam() throws {
        let root = try StudyFixtures.temporaryFolder("planted-adam")
        defer { try? FileManager.default.removeItem(at: root) }
        try PlantedStudyTests.makeRun(root, images: 16)
        let rows = try runStudy(root, probe: "linear:fit=adam,lr=0.05,epochs=30", out: "adam")
        let P = PlantedStudyTests.planted
        let s2 = value(rows, P, 2, "depth", "spearman"), d2 = value(rows, P, 2, "fg", "dice")
        let sh = value(rows, P, 2, "depth:shuffled", "spearman")
        print("planted (adam lr 0.05, 30 epochs): depth spearman step2 \(s2), shuffled \(sh); fg dice step2 \(d2)")
        XCTAssertGreaterThan(s2, 0.95)
        XCTAssertGreaterThan(d2, 0.85)
        XCTAssertLessThan(abs(sh), 0.5)
        XCTAssertLessThan(sh, s2 - 0.4)
    }
}
