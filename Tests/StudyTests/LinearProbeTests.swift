// The `linear` probe plugin through dlopen: Adam against PyTorch (same initial weights, same SplitMix64
// shuffle order), least squares against numpy.linalg.lstsq, merge, predictions and loss gradients.
import PluginHost
import Study
import XCTest
import Tensor

final class LinearProbeTests: XCTestCase {
    /// Trains `linear` with Adam as the fixture's PyTorch run did and compares weights, prediction, gradient.
    func runAdamCase(_ name: String, tolerance: Float) throws {
        let cfg = try StudyFixtures.json("\(name)/config.json")
        let binary = cfg["binary"] as! Bool, bias = cfg["bias"] as! Bool
        let acts = try StudyFixtures.npy("\(name)/acts.npy"), labels = try StudyFixtures.npy("\(name)/labels.npy")
        let n = acts.shape[0], C = acts.shape[1], h = acts.shape[2], w = acts.shape[3]
        let H = labels.shape[1], W = labels.shape[2]
        let spec = "linear:fit=adam,lr=\(cfg["lr"]!),epochs=\(cfg["epochs"]!),batch=\(cfg["batch"]!),seed=\(cfg["seed"]!),bias=\(bias),loss=\(cfg["loss"]!)"
        let plugin = try StudyFixtures.registry().probe(spec: spec)
        let probe = try plugin.instantiate(ProbeSpec(labelKind: binary ? .binary : .continuous, channels: C))
        let w0 = try StudyFixtures.npy("\(name)/w0.npy").values
        try probe.setWeights(weight: w0, bias: bias ? try StudyFixtures.npy("\(name)/b0.npy").values : nil)
        for i in 0..<n {
            try probe.addExample(activation: Array(acts.values[i * C * h * w..<(i + 1) * C * h * w]), activationShape: [C, h, w],
                                 label: Array(labels.values[i * H * W..<(i + 1) * H * W]), labelShape: [H, W])
        }
        try probe.fit()
        let (weight, b) = try probe.weights()
        let expected = try StudyFixtures.npy("\(name)/weight.npy").values
        let dw = StudyFixtures.maxdiff(weight, expected)
        let moved = StudyFixtures.maxdiff(w0, expected)
        var db: Float = 0
        if bias { db = StudyFixtures.maxdiff(b, try StudyFixtures.npy("\(name)/bias.npy").values) } else { XCTAssertEqual(b, []) }
        let test = try StudyFixtures.npy("\(name)/test_act.npy").values
        let pred = try probe.predict(activation: test, activationShape: [C, h, w], height: H, width: W)
        let dp = StudyFixtures.maxdiff(pred, try StudyFixtures.npy("\(name)/test_pred.npy").values)
        let (loss, grad) = try probe.lossGradient(activation: test, activationShape: [C, h, w],
                                                  target: Array(labels.values[0..<H * W]), targetShape: [H, W])
        let dg = StudyFixtures.maxdiff(grad, try StudyFixtures.npy("\(name)/grad.npy").values)
        let dl = abs(loss - (cfg["grad_loss"] as! Double))
        print("\(name) vs PyTorch: weight maxdiff \(dw) (weights moved \(moved) from init), bias \(db), prediction \(dp), loss_gradient \(dg), loss \(dl)")
        XCTAssertLessThan(dw, tolerance)
        XCTAssertLessThan(db, tolerance)
        XCTAssertLessThan(dp, tolerance * 10)
        XCTAssertLessThan(dg, 1e-5)
        XCTAssertLessThan(dl, 1e-4)
        XCTAssertGreaterThan(moved, 100 * dw, "the comparison must be sharper than the training movement")
    }

    func testAdamHuberMatchesPyTorch() throws { try runAdamCase("adam_huber", tolerance: 2e-5) }
    func testAdamCrossEntropyWithBiasMatchesPyTorch() throws { try runAdamCase("adam_ce", tolerance: 2e-5) }
    func testAdamMSEMatchesPyTorch() throws { try runAdamCase("adam_mse", tolerance: 2e-6) }

    /// Fits lstsq on the fixture's examples, optionally in two merged shards.
    func lstsq(_ params: String, binary: Bool, shards: Bool = false) throws -> (weight: [Float], bias: [Float]) {
        let acts = try StudyFixtures.npy("lstsq/acts.npy")
        let labels = try StudyFixtures.npy(binary ? "lstsq/binary.npy" : "lstsq/continuous.npy")
        let n = acts.shape[0], C = acts.shape[1], h = acts.shape[2], w = acts.shape[3]
        let H = labels.shape[1], W = labels.shape[2]
        let plugin = try StudyFixtures.registry().probe(spec: "linear:fit=lstsq" + params)
        let spec = ProbeSpec(labelKind: binary ? .binary : .continuous, channels: C)
        let a = try plugin.instantiate(spec), b = try plugin.instantiate(spec)
        for i in 0..<n {
            let target = shards && i % 2 == 1 ? b : a
            try target.addExample(activation: Array(acts.values[i * C * h * w..<(i + 1) * C * h * w]), activationShape: [C, h, w],
                                  label: Array(labels.values[i * H * W..<(i + 1) * H * W]), labelShape: [H, W])
        }
        if shards { try a.merge(b) }
        try a.fit()
        return try a.weights()
    }

    func testLeastSquaresMatchesNumpy() throws {
        let e = try StudyFixtures.json("lstsq/expected.json")
        let plain = try lstsq("", binary: false).weight.map(Double.init)
        let merged = try lstsq("", binary: false, shards: true).weight.map(Double.init)
        let wb = try lstsq(",bias=true", binary: false)
        let ridge = try lstsq(",lambda=\(e["lambda"]!)", binary: false).weight.map(Double.init)
        let bin = try lstsq("", binary: true).weight.map(Double.init)
        let C = plain.count
        let d1 = StudyFixtures.maxdiff(plain, e["plain"] as! [Double])
        let d2 = StudyFixtures.maxdiff(merged, e["plain"] as! [Double])
        let d3 = StudyFixtures.maxdiff(wb.weight.map(Double.init) + [Double(wb.bias[0])],
                                       e["bias_weight"] as! [Double] + [e["bias"] as! Double])
        let d4 = StudyFixtures.maxdiff(ridge, e["ridge"] as! [Double])
        // Binary: logits (−s/2, s/2) with s the ±1 regression.
        let s = (0..<C).map { bin[C + $0] - bin[$0] }
        let d5 = StudyFixtures.maxdiff(s, e["binary_pm1"] as! [Double])
            .nanAwareMax(StudyFixtures.maxdiff((0..<C).map { -bin[$0] }, (0..<C).map { bin[C + $0] }))
        print("lstsq vs numpy.linalg.lstsq maxdiff: plain \(d1), two merged shards \(d2), bias \(d3), ridge \(d4), binary ±1 \(d5)")
        for d in [d1, d2, d3, d4, d5] { XCTAssertLessThan(d, 2e-5) }
    }

    func testBadInputIsAnErrorNotATrap() throws {
        let plugin = try StudyFixtures.registry().probe(spec: "linear")
        let p = try plugin.instantiate(ProbeSpec(labelKind: .binary, channels: 2))
        XCTAssertThrowsError(try p.fit()) { print("fit without examples: \($0)") }
        XCTAssertThrowsError(try p.addExample(activation: [0, 0, 0, 0], activationShape: [2, 1, 2],
                                              label: [0, 2], labelShape: [1, 2])) { print("non-0/1 binary label: \($0)") }
        XCTAssertThrowsError(try p.addExample(activation: [Float](repeating: 0, count: 8), activationShape: [2, 2, 2],
                                              label: [0], labelShape: [1, 1])) { print("label smaller than grid: \($0)") }
    }
}
