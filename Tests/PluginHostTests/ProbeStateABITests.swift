// probe.h ABI 1.2 export_state/import_state through the host: the C example probe's statistics exported by two
// shards and imported into a fresh instance fit the weights of one instance that saw every example; a probe
// built against the 1.0 headers (its vtable ends at merge) still loads and fits, and asking it for its state
// is a clear error, not a read past its vtable.
import PluginHost
import XCTest

final class ProbeStateABITests: XCTestCase {
    func testExampleRidgeStateAddsUpAcrossShards() throws {
        let r = try PluginRegistry.discover(extraPaths: [try TestLibraries.example("example_ridge")], useEnvironment: false,
                                            useExecutableFolder: false)
        let plugin = try r.probe(spec: "example-ridge:lambda=0.01")
        XCTAssertTrue(plugin.supportsState)
        let C = 3, h = 2, w = 2, H = 4, W = 4
        let spec = ProbeSpec(labelKind: .continuous, channels: C)
        let whole = try plugin.instantiate(spec), first = try plugin.instantiate(spec), second = try plugin.instantiate(spec)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<6 {
            let a = (0..<(C * h * w)).map { _ in Float.random(in: -1...1, using: &rng) }
            let l = (0..<(H * W)).map { _ in Float.random(in: 0...1, using: &rng) }
            for p in [whole, i < 3 ? first : second] {
                try p.addExample(activation: a, activationShape: [C, h, w], label: l, labelShape: [H, W])
            }
        }
        let merged = try plugin.instantiate(spec)
        try merged.importState(try first.exportState())
        XCTAssertEqual(try merged.exportState(), try first.exportState(), "import into a fresh instance is exact")
        try merged.importState(try second.exportState())
        try merged.fit()
        try whole.fit()
        let m = try merged.weights(), o = try whole.weights()
        var d: Float = 0
        for (x, y) in zip(m.weight + m.bias, o.weight + o.bias) { let e = abs(x - y); d = d.isNaN || e.isNaN ? .nan : max(d, e) }
        print("example-ridge: 2 exported shards vs one instance, weights maxdiff \(d)")
        XCTAssertLessThan(d, 1e-5)
        XCTAssertThrowsError(try merged.importState([0])) { print("wrong-sized state: \($0)") }
    }

    func testProbeBuiltAgainstABI10HasNoState() throws {
        let r = try PluginRegistry.discover(extraPaths: [try TestLibraries.example("validatekit10")], useEnvironment: false,
                                            useExecutableFolder: false)
        let plugin = try r.probe(spec: "toy-probe")
        XCTAssertFalse(plugin.supportsState)
        let p = try plugin.instantiate(ProbeSpec(labelKind: .continuous, channels: 2))
        try p.addExample(activation: [1, 2, 3, 4], activationShape: [2, 1, 2], label: [0.5, 0.5], labelShape: [1, 2])
        try p.fit()
        XCTAssertThrowsError(try p.exportState()) { e in
            print("1.0 probe: \(e)")
            XCTAssertTrue("\(e)".contains("export_state is NULL"))
        }
        XCTAssertThrowsError(try p.importState([1]))
    }
}
