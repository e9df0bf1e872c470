// Each Tensor kernel against torch's output (Tests/Fixtures/tensor/kernels.json, tools/make_tensor_fixtures.py).
import XCTest
import Foundation
import Tensor

private struct Case: Decodable {
    struct T: Decodable { let shape: [Int]; let data: [Float] }
    let params: [String: Double]
    let tensors: [String: T]
    func t(_ name: String) -> Tensor {
        let x = tensors[name]!
        return Tensor(shape: x.shape, data: x.data)
    }
    func p(_ name: String) -> Int { Int(params[name]!) }
}

final class KernelTests: XCTestCase {
    private static let cases: [String: Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tensor/kernels.json")
        return try! JSONDecoder().decode([String: Case].self, from: Data(contentsOf: url))
    }()

    private func check(_ name: String, _ f: (Case) -> Tensor, tol: Float = 1e-5,
                       file: StaticString = #filePath, line: UInt = #line) {
        let c = Self.cases[name]!
        let ref = c.t("out")
        let got = f(c)
        XCTAssertEqual(got.shape, ref.shape, "\(name) shape", file: file, line: line)
        let d = got.maxAbsDiff(ref)
        print("\(name): maxdiff \(d) (scale \(ref.maxAbs))")
        XCTAssertLessThanOrEqual(d, tol * max(1, ref.maxAbs), name, file: file, line: line)
    }

    func testLinear() { check("linear") { $0.t("x").linear(weight: $0.t("weight"), bias: $0.t("bias")) } }

    func testConv2D() {
        for n in ["conv3x3", "conv3x3s2", "conv1x1", "conv3x3p0"] {
            check(n) { $0.t("x").conv2d(weight: $0.t("weight"), bias: $0.t("bias"), stride: $0.p("stride"),
                                        padding: $0.p("padding")) }
        }
        check("conv_vae_down") {
            $0.t("x").conv2d(weight: $0.t("weight"), bias: $0.t("bias"), stride: 2,
                             padding: Padding2D(top: 0, bottom: 1, left: 0, right: 1))
        }
    }

    func testNorms() {
        check("groupnorm") { $0.t("x").groupNorm(groups: 4, weight: $0.t("weight"), bias: $0.t("bias"), eps: 1e-6) }
        check("groupnorm_silu") {
            $0.t("x").groupNorm(groups: 2, weight: $0.t("weight"), bias: $0.t("bias"), eps: 1e-5, silu: true)
        }
        check("layernorm") { $0.t("x").layerNorm(weight: $0.t("weight"), bias: $0.t("bias"), eps: 1e-5) }
    }

    func testActivations() {
        check("softmax") { $0.t("x").softmax() }
        check("silu") { $0.t("x").silu() }
        check("gelu") { $0.t("x").gelu() }
        check("quick_gelu") { $0.t("x").quickGelu() }
        check("geglu") { $0.t("x").geglu() }
    }

    func testAttention() {
        check("attention") { Tensor.attention(q: $0.t("q"), k: $0.t("k"), v: $0.t("v"), heads: $0.p("heads")) }
        check("attention_causal") {
            Tensor.attention(q: $0.t("q"), k: $0.t("k"), v: $0.t("v"), heads: $0.p("heads"), causal: true)
        }
    }

    func testResample() {
        check("upsample2x") { $0.t("x").upsampleNearest(scale: 2) }
        check("upsample_to") { $0.t("x").upsampleNearest(height: $0.p("height"), width: $0.p("width")) }
        check("maxpool") { $0.t("x").maxPool2d(kernel: $0.p("kernel"), stride: $0.p("stride")) }
        // A map smaller than the kernel has no window (torch refuses it; VGG on a 16-px image reaches 1×1 maps):
        // an empty result, not a window read past the map.
        let tiny = Tensor(shape: [1, 2, 1, 3], data: [1, 2, 3, 4, 5, 6]).maxPool2d(kernel: 2, stride: 2)
        XCTAssertEqual(tiny.shape, [1, 2, 0, 1])
        XCTAssertEqual(tiny.count, 0)
        XCTAssertEqual(Tensor(shape: [1, 1, 3, 3], data: (0..<9).map(Float.init)).maxPool2d(kernel: 2, stride: 2).data, [4])
    }

    func testLayout() {
        let x = Tensor(shape: [2, 3, 4], data: (0..<24).map(Float.init))
        let t = x.transposedLastTwo()
        XCTAssertEqual(t.shape, [2, 4, 3])
        XCTAssertEqual(t.data[1], 4)   // [0, 0, 1] = x[0, 1, 0]
        XCTAssertEqual(t.transposedLastTwo().data, x.data)
        let parts = Tensor.concatChannels([x.reshaped([2, 3, 4]), x]).splitChannels([3, 3])
        XCTAssertEqual(parts[1].data, x.data)
        let m = x.reshaped([2, 3, 4]).matmul(Tensor(shape: [4, 1], data: [1, 1, 1, 1]))
        XCTAssertEqual(m.data[0], 0 + 1 + 2 + 3)
    }
}
