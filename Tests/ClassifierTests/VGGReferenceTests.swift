// The VGG network and preprocessing (ClassifierSupport) against torchvision: slim VGG-16 and VGG-11-BN models with
// random weights, both preprocessings, five generated images of different sizes (Tests/Fixtures/vgg).
import XCTest
import ClassifierSupport
import Weights
import Tensor

final class VGGReferenceTests: XCTestCase {
    /// Resize + crop against torchvision's transforms (torchvision) and PIL NEAREST (caffe).
    func testPreprocessingCropsMatchReference() throws {
        for pre in ImagePreprocessing.allCases {
            var worst = 0, differing = 0
            for name in VGGFixture.images {
                let img = try VGGFixture.image(name)
                let mine = img.pixels.withUnsafeBufferPointer { pre.crop($0, height: img.height, width: img.width) }
                let ref = try VGGFixture.crop(pre.rawValue, name)
                XCTAssertEqual(mine.count, ref.count)
                for (a, b) in zip(mine, ref) where a != b {
                    worst = max(worst, abs(Int(a) - Int(b)))
                    differing += 1
                }
            }
            print("crop \(pre.rawValue): maxdiff \(worst) levels, \(differing) of \(5 * 224 * 224 * 3) values differ")
            switch pre {
            case .caffe: XCTAssertEqual(worst, 0, "PIL NEAREST indices must match exactly")
            case .torchvision:
                // torch sums the antialias taps with vectorised FMA: values at .5 may round the other way.
                XCTAssertLessThanOrEqual(worst, 1)
                XCTAssertLessThan(differing, 20)
            }
        }
    }

    func testSlimVGG16ProbabilitiesMatchTorchvision() throws {
        try checkModel("vgg16", file: "vgg16_slim.safetensors", fixture: "vgg16_slim")
    }

    func testSlimVGG11BatchNormProbabilitiesMatchTorchvision() throws {
        try checkModel("vgg11_bn", file: "vgg11_bn_slim.safetensors", fixture: "vgg11_bn_slim")
    }

    func checkModel(_ arch: String, file: String, fixture: String) throws {
        let config = try XCTUnwrap(VGGConfig.named(arch))
        let path = VGGFixture.path(file)
        let network = try VGGNetwork.load(config: config, from: SafetensorsFile(path: path), path: path)
        XCTAssertEqual(network.classCount, 1000)
        for pre in ImagePreprocessing.allCases {
            let expected = try VGGFixture.expected(fixture, pre.rawValue)
            var worst: (abs: Float, log: Float) = (0, 0)
            for (row, name) in VGGFixture.images.enumerated() {
                let img = try VGGFixture.image(name)
                let x = img.pixels.withUnsafeBufferPointer { pre.input($0, height: img.height, width: img.width) }
                let p = network.probabilities(x).data
                let d = VGGFixture.compare(p, expected[row])
                worst = (worst.abs.nanAwareMax(d.abs), worst.log.nanAwareMax(d.log))
                XCTAssertEqual(p.indices.max { p[$0] < p[$1] }, expected[row].indices.max { expected[row][$0] < expected[row][$1] },
                               "\(fixture) \(pre.rawValue) \(name): top-1 differs")
            }
            print("\(fixture) \(pre.rawValue): maxdiff probability \(worst.abs), log-probability \(worst.log)")
            XCTAssertLessThan(worst.abs, 1e-5)   // README states the measured maxdiff (6.7e-6)
        }
    }

    /// Wrong architecture for the file: a clear error naming a key and suggesting the right plugin.
    func testWrongArchitectureNamesKeysAndHint() throws {
        let path = VGGFixture.path("vgg16_slim.safetensors")
        XCTAssertThrowsError(try VGGNetwork.load(config: VGGConfig.named("vgg19")!, from: SafetensorsFile(path: path),
                                                 path: path)) { error in
            let m = "\(error)"
            print("error: \(m)")
            XCTAssertTrue(m.contains("vgg16_slim.safetensors") && m.contains("missing") && m.contains("--classifier vgg16"), m)
        }
    }

    func testRandomWeightsBuildEveryArchitecture() throws {
        for config in VGGConfig.all {
            let net = VGGNetwork.random(config: config, seed: 1, divisor: 16)
            let p = net.probabilities(Tensor(zeros: [1, 3, 224, 224]).map { _ in 0.1 }).data
            XCTAssertEqual(p.count, 1000)
            XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-4, config.name)
        }
        // full size: torchvision's vgg16 has 138,357,544 parameters
        XCTAssertEqual(VGGNetwork.random(config: VGGConfig.named("vgg16")!, seed: 0).parameterCount, 138_357_544)
    }
}
