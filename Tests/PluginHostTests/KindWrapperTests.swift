// The Swift wrappers of probes, classifiers and labelers against the test kit (Tests/Fixtures/PluginHost/testkit.c),
// whose outputs are exact formulas of their inputs.
import Foundation
import PluginHost
import XCTest

final class KindWrapperTests: XCTestCase {
    func testProbe() throws {
        let plugin = try TestLibraries.registry().probe(spec: "sum-probe:scale=2")
        XCTAssertFalse(plugin.supportsLossGradient)
        XCTAssertFalse(plugin.supportsMerge)
        let p = try plugin.instantiate(ProbeSpec(labelKind: .binary, channels: 2, seed: 7))
        XCTAssertEqual(p.spec.outputs, 2)
        // activation [C=2, h=2, w=2], label [H=4, W=4]
        let a: [Float] = [1, 2, 3, 4, 10, 20, 30, 40]
        let label: [Float] = (0..<16).map { $0 % 2 == 0 ? 1 : 0 }
        try p.addExample(activation: a, activationShape: [2, 2, 2], label: label, labelShape: [4, 4])
        try p.fit()
        let (w, b) = try p.weights()
        XCTAssertEqual(w, [5, 50, 5, 50])      // scale 2 × channel means 2.5, 25
        XCTAssertEqual(b, [0.5, 1.5])          // mean label + output index
        let pred = try p.predict(activation: a, activationShape: [2, 2, 2], height: 4, width: 4)
        XCTAssertEqual(pred.count, 2 * 4 * 4)
        // out[o][y][x] = b[o] + 5·a0[y/2][x/2] + 50·a1[y/2][x/2]
        XCTAssertEqual(pred[0], 0.5 + 5 * 1 + 50 * 10)
        XCTAssertEqual(pred[16 + 3 * 4 + 3], 1.5 + 5 * 4 + 50 * 40)
        try p.setWeights(weight: [1, 0, 0, 1], bias: nil)
        let (w2, b2) = try p.weights()
        XCTAssertEqual(w2, [1, 0, 0, 1])
        XCTAssertEqual(b2, [0, 0])
        XCTAssertThrowsError(try p.predict(activation: a, activationShape: [3, 1, 2], height: 4, width: 4)) {
            XCTAssertEqual("\($0)", "sum-probe.predict: activation shape [3, 1, 2] is not [2, h, w]")
        }
        XCTAssertThrowsError(try p.lossGradient(activation: a, activationShape: [2, 2, 2], target: label,
                                                targetShape: [4, 4]))
        let fresh = try plugin.instantiate(ProbeSpec(labelKind: .continuous, channels: 2))
        XCTAssertThrowsError(try fresh.fit()) {
            XCTAssertEqual("\($0)", "sum-probe.fit failed (LDMP_ERR_INVALID_ARGUMENT (1)): sum-probe: fit before any example")
        }
    }

    func testClassifier() throws {
        let c = try TestLibraries.registry().classifier(spec: "echo-classifier:count=4").instantiate()
        XCTAssertEqual(c.classCount, 3)
        XCTAssertEqual(Array(c.classNames.dropFirst()), ["green", "blue"])
        // [H=1, W=2, 3]
        let img: [UInt8] = [255, 0, 51, 0, 0, 51]
        let probs = try c.classify(image: img, height: 1, width: 2)
        let logits: [Double] = [4 * 0.5, 0, 4 * 0.2]
        let z = logits.map(exp).reduce(0, +)
        let ref = logits.map { Float(exp($0) / z) }
        let d = zip(probs, ref).map { abs($0 - $1) }.reduce(0) { $0.isNaN || $1.isNaN ? .nan : max($0, $1) }
        print("classifier softmax maxdiff \(d)")
        XCTAssertLessThan(d, 1e-6)
        XCTAssertThrowsError(try c.classify(image: img, height: 2, width: 2)) {
            XCTAssertEqual("\($0)", "echo-classifier.classify: image has 6 values, shape [2, 2, 3] needs 12")
        }
    }

    func testLabeler() throws {
        let l = try TestLibraries.registry().labeler(spec: "index-labeler:offset=10").instantiate(source: "labels")
        XCTAssertEqual(l.labelKind, .continuous)
        XCTAssertEqual(try l.load(imageID: "00001", height: 2, width: 3), [10, 11, 12, 13, 14, 15])
        XCTAssertEqual(try l.load(imageID: "00001", height: 1, width: 2, image: [7, 0, 0], imageHeight: 1,
                                  imageWidth: 1), [17, 18])
        let folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("labels")
            .standardizedFileURL.path
        XCTAssertThrowsError(try l.load(imageID: "missing", height: 2, width: 2)) { e in
            XCTAssertTrue(LabelerInstance.isNotFound(e))
            XCTAssertEqual("\(e)", "index-labeler.load failed (LDMP_ERR_NOT_FOUND (3)): index-labeler: no label for "
                           + "image missing in \(folder)")
        }
    }

    /// report_error's message is per thread: a failure on one thread never leaks into another's error.
    func testErrorMessagesArePerThread() throws {
        let plugin = try TestLibraries.registry().labeler(spec: "index-labeler:offset=0")
        let errors = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8)
        defer { errors.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let l = try! plugin.instantiate()
            var wrong = 0
            for _ in 0..<200 {
                if i % 2 == 0 {
                    if (try? l.load(imageID: "x", height: 1, width: 1)) == nil { wrong += 1 }
                } else {
                    do { _ = try l.load(imageID: "missing", height: 1, width: 1); wrong += 1 } catch {
                        if !"\(error)".hasSuffix("no label for image missing in ") { wrong += 1 }
                    }
                }
            }
            errors[i] = wrong
        }
        XCTAssertEqual(Array(errors), [Int](repeating: 0, count: 8))
    }
}
