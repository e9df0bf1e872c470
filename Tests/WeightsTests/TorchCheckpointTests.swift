// TorchCheckpoint / RestrictedUnpickler / ZipArchive: torch.save files (.ckpt, .pth) read without Python, and
// pickles naming anything outside the allow-list refused before they can build anything.
import Foundation
import Tensor
import Weights
import XCTest

final class TorchCheckpointTests: XCTestCase {
    func testLightningCheckpointWithViewsAndDTypes() throws {
        let ckpt = try TorchCheckpoint(path: WeightsFixture.path("small.ckpt"))
        let expected = try WeightsFixture.expected("small.ckpt")
        XCTAssertEqual(Set(ckpt.keys), Set(expected.keys))
        var worst: Float = 0
        for (key, e) in expected {
            let t = try ckpt.tensor(key)
            XCTAssertEqual(t.shape, e.shape, key)
            let d = WeightsFixture.maxdiff(t.data, e.values)
            worst = worst.nanAwareMax(d)
            XCTAssertEqual(d, 0, key)
        }
        // Plain data next to the state dict survives.
        XCTAssertEqual(ckpt.root.asDict?["global_step"]?.asInt, 7)
        print("TorchCheckpointTests: small.ckpt \(expected.count) tensors (strided view, transpose, F16, BF16, I64), maxdiff \(worst)")
    }

    func testTorchvisionStyleStateDict() throws {
        let pth = try TorchCheckpoint(path: WeightsFixture.path("torchvision_like.pth"))
        let expected = try WeightsFixture.expected("torchvision_like.pth")
        XCTAssertEqual(Set(pth.keys), Set(expected.keys))
        for (key, e) in expected {
            XCTAssertEqual(WeightsFixture.maxdiff(try pth.tensor(key).data, e.values), 0, key)
        }
    }

    func testForbiddenGlobalIsRefusedAndNamed() {
        XCTAssertThrowsError(try TorchCheckpoint(path: WeightsFixture.path("evil.ckpt"))) { error in
            let message = "\(error)"
            print("  evil.ckpt: \(message)")
            guard case .forbiddenGlobal(_, let global)? = error as? WeightSourceError else {
                return XCTFail("expected forbiddenGlobal, got \(message)")
            }
            XCTAssertTrue(global.hasSuffix(".system"), global)  // posix.system
        }
        XCTAssertThrowsError(try TorchCheckpoint(path: WeightsFixture.path("module.pth"))) { error in
            print("  module.pth: \(error)")
            XCTAssertTrue("\(error)".contains("torch.nn.modules"), "\(error)")
        }
    }

    func testNonZipFileIsAClearError() {
        XCTAssertThrowsError(try TorchCheckpoint(path: WeightsFixture.path("basic.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("not a zip-format torch file"), "\(error)")
        }
    }

    func testNumpyPickles() throws {
        let expected = try WeightsFixture.expected("arrays.pkl")
        for name in ["arrays_p2.pkl", "arrays_p4.pkl", "arrays_p5.pkl"] {
            let arrays = try NumpyPickle.arrays(path: WeightsFixture.path(name))
            for (key, e) in expected {
                guard let a = arrays[key] else { XCTFail("\(name): no array '\(key)' in \(arrays.keys.sorted())"); continue }
                XCTAssertEqual(a.shape, e.shape, "\(name) \(key)")
                XCTAssertEqual(WeightsFixture.maxdiff(a.values, e.values), 0, "\(name) \(key)")
            }
            // The numpy float32 scalar inside the list is plain data.
            if case .dict(let d) = try NumpyPickle.load(path: WeightsFixture.path(name)),
               case .list(let l)? = d["list"], case .float(let f) = l.items[1] {
                XCTAssertEqual(f, 3.25)
            } else {
                XCTFail("\(name): list entry not decoded")
            }
        }
        let bare = try NumpyPickle.arrays(path: WeightsFixture.path("bare_array.pkl"))
        XCTAssertEqual(bare[""]?.values, [0, 1, 2, 3])
        XCTAssertThrowsError(try NumpyPickle.load(path: WeightsFixture.path("evil.pkl"))) { error in
            print("  evil.pkl: \(error)")
            XCTAssertTrue("\(error)".contains("system"), "\(error)")
        }
    }

    func testTruncatedZipIsAnError() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: WeightsFixture.path("small.ckpt")))
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-truncated-\(getpid()).ckpt")
        try data.prefix(data.count / 2).write(to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        XCTAssertThrowsError(try TorchCheckpoint(path: tmp.path)) { error in
            XCTAssertTrue("\(error)".contains(tmp.path), "\(error)")
        }
    }
}
