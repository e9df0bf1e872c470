// The per-step classification study (Study/Classification) on a synthetic "run": four frames whose caffe-preprocessed
// top-1 under the slim VGG-16 fixture is known from torchvision (366, 998, 952, 952), target 952.
import XCTest
import Foundation
import PluginHost
import Study
import Tensor

final class StepClassificationTests: XCTestCase {
    func testFirstCorrectStepTopKAndOutputs() throws {
        let registry = try PluginRegistry.discover(useEnvironment: false)
        let c = try registry.classifier(
            spec: "vgg16:weights=\(VGGFixture.path("vgg16_slim.safetensors")),preprocess=caffe").instantiate()
        let order = ["portrait_513x341", "small_120x90", "landscape_300x400", "exact_224"]
        let frames = order.map { VGGFixture.root.appendingPathComponent("images/\($0).png") }
        let target = try ClassRanking.resolve("952", labels: c.classNames)
        XCTAssertEqual(try ClassRanking.resolve(c.classNames[952], labels: c.classNames), 952)
        let images = [StepImage(id: "img0", prompt: "a photo of a \(c.classNames[952])", target: target,
                                frames: ["xt": frames, "x0": Array(frames.reversed())])]
        XCTAssertEqual(ClassRanking.find(in: images[0].prompt, labels: c.classNames), 952)

        let report = try StepClassification(classifier: c, top: 5).run(images, kinds: ["xt", "x0"])
        let im = report.images[0]
        XCTAssertEqual(im.firstCorrectCall("xt"), 2)
        XCTAssertEqual(im.stableCorrectCall("xt"), 2)
        XCTAssertEqual(im.firstCorrectCall("x0"), 0)
        XCTAssertNil(im.stableCorrectCall("x0"))   // the last x0 frame (portrait) is 366

        // Target probabilities against torchvision's.
        let expected = try VGGFixture.expected("vgg16_slim", "caffe")
        var worst: Float = 0
        for (call, name) in order.enumerated() {
            let row = VGGFixture.images.firstIndex(of: name)!
            let got = try XCTUnwrap(im.kinds["xt"]?[call].targetProbability)
            worst = worst.nanAwareMax(abs(got - expected[row][952]))
            XCTAssertEqual(im.kinds["xt"]?[call].top.first?.index, expected[row].indices.max { expected[row][$0] < expected[row][$1] })
        }
        print("per-step target probability maxdiff vs torchvision: \(worst)")
        XCTAssertLessThan(worst, 1e-4)

        let sum = try XCTUnwrap(report.summary.first { $0.kind == "xt" })
        XCTAssertEqual(sum.firstCorrectHistogram, ["2": 1])
        XCTAssertEqual(sum.top1Accuracy, [0, 0, 1, 1])

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("vgg-steps-\(getpid())")
        defer { try? FileManager.default.removeItem(at: out) }
        try report.write(to: out)
        let csv = try String(contentsOf: out.appendingPathComponent("classification.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 1 + 8)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("classification.json").path))
        let svg = try String(contentsOf: out.appendingPathComponent("target_probability_xt.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg"))
    }

    func testResolveUnknownClassSuggests() {
        let labels = ["lemon", "orange", "Granny Smith"]
        XCTAssertEqual(try ClassRanking.resolve("granny smith", labels: labels), 2)
        XCTAssertThrowsError(try ClassRanking.resolve("lem", labels: labels)) { e in
            XCTAssertTrue("\(e)".contains("lemon"), "\(e)")
        }
        XCTAssertThrowsError(try ClassRanking.resolve("7", labels: labels))
        XCTAssertEqual(ClassRanking.rank(of: 1, in: [0.2, 0.5, 0.3]), 1)
        XCTAssertEqual(ClassRanking.rank(of: 0, in: [0.2, 0.5, 0.3]), 3)
    }
}
