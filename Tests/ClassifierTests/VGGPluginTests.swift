// The VGG plugin library through the host: discovery, parameters, classify, the convert action, and clean errors
// for bad weights. libVGGClassifier.so is found next to the test binary (the build's product folder).
import XCTest
import Foundation
import PluginHost
import Tensor

final class VGGPluginTests: XCTestCase {
    static let discovered = Result { try PluginRegistry.discover(useEnvironment: false) }

    func registry() throws -> PluginRegistry {
        let r = try Self.discovered.get()
        guard r.plugins.contains(where: { $0.name == "vgg16" }) else {
            let message = "vgg16 not found in \(r.searchedDirectories); failures: "
                + "\(r.failures.map { "\($0.path): \($0.reason)" }) (build it: swift build -c release --build-tests)"
            return try XCTUnwrap(nil, message)
        }
        return r
    }

    func testLibraryOffersEveryVariant() throws {
        let names = Set(try registry().plugins.filter { $0.kind == .classifier }.map(\.name))
        for n in ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"] {
            XCTAssertTrue(names.contains(n), n)
        }
    }

    func testClassifyThroughPluginMatchesTorchvision() throws {
        let r = try registry()
        for pre in ["torchvision", "caffe"] {
            let plugin = try r.classifier(spec: "vgg16:weights=\(VGGFixture.path("vgg16_slim.safetensors")),preprocess=\(pre)")
            let c = try plugin.instantiate()
            XCTAssertEqual(c.classCount, 1000)
            XCTAssertEqual(c.className(0), "tench")
            XCTAssertEqual(c.className(999), "toilet tissue")
            let expected = try VGGFixture.expected("vgg16_slim", pre)
            var worst: Float = 0
            for (row, name) in VGGFixture.images.enumerated() {
                let img = try VGGFixture.image(name)
                let p = try c.classify(image: img.pixels, height: img.height, width: img.width)
                worst = worst.nanAwareMax(VGGFixture.compare(p, expected[row]).abs)
            }
            print("plugin vgg16_slim \(pre): maxdiff \(worst)")
            XCTAssertLessThan(worst, 1e-4)
        }
    }

    func testTorchPthLoads() throws {
        let r = try registry()
        let c = try r.classifier(spec: "vgg16:weights=\(VGGFixture.path("vgg16_slim.pth"))").instantiate()
        let img = try VGGFixture.image("square_256")
        let p = try c.classify(image: img.pixels, height: img.height, width: img.width)
        let d = VGGFixture.compare(p, try VGGFixture.expected("vgg16_slim", "torchvision")[1])
        print(".pth vgg16_slim: maxdiff \(d.abs)")
        XCTAssertLessThan(d.abs, 1e-4)
    }

    func testConvertActionWritesEquivalentSafetensors() throws {
        let r = try registry()
        let info = try r.plugin(.classifier, named: "vgg16")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("vgg-convert-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: out) }
        let outcome = try ActionRunner.run(plugin: info, action: "convert",
                                           arguments: [VGGFixture.path("vgg16_slim.pth"), out.path])
        XCTAssertEqual(outcome.status, 0, outcome.message)
        let c = try r.classifier(spec: "vgg16:weights=\(out.path)").instantiate()
        let img = try VGGFixture.image("small_120x90")
        let p = try c.classify(image: img.pixels, height: img.height, width: img.width)
        let d = VGGFixture.compare(p, try VGGFixture.expected("vgg16_slim", "torchvision")[3])
        print("converted vgg16_slim: maxdiff \(d.abs)")
        XCTAssertLessThan(d.abs, 1e-4)
    }

    /// Bad input is an error naming the file, never a crash; the library itself always loads.
    func testBadWeightsFailCleanlyAtCreate() throws {
        let r = try registry()
        let cases: [(String, String)] = [
            ("vgg16", "weights parameter is required"),
            ("vgg16:weights=/nonexistent/vgg16.safetensors", "vgg16.safetensors"),
            ("vgg16:weights=\(VGGFixture.path("truncated.safetensors"))", "truncated.safetensors"),
            ("vgg19:weights=\(VGGFixture.path("vgg16_slim.safetensors"))", "--classifier vgg16"),
            ("vgg16:weights=\(VGGFixture.path("FIXTURE.md"))", "FIXTURE.md"),
            ("vgg16:weights=random:x", "random:SEED"),
        ]
        for (spec, needle) in cases {
            do {
                _ = try r.classifier(spec: spec).instantiate()
                XCTFail("\(spec): expected an error")
            } catch {
                let m = "\(error)"
                print("\(spec.split(separator: ":").first!): \(m)")
                XCTAssertTrue(m.contains(needle), "\(spec): \(m)")
            }
        }
    }

    func testWrongImageShapeIsAnError() throws {
        let c = try registry().classifier(spec: "vgg16:weights=random:0/16").instantiate()
        XCTAssertThrowsError(try c.classify(image: [UInt8](repeating: 0, count: 0), height: 0, width: 0))
        let p = try c.classify(image: [UInt8](repeating: 128, count: 7 * 5 * 3), height: 7, width: 5)
        XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-4)
    }
}
