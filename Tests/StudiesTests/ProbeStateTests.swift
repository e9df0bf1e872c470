// probe.h export_state/import_state (ABI 1.2) on the `linear` probe: statistics exported by two shards and
// imported into a fresh probe fit the same weights as one probe that saw every example (the float64 sums are
// added in another order: rounding level), a fresh probe that imports a state exports it again bit for bit,
// a wrong-sized state and fit=adam are errors, not traps.
import PluginHost
import XCTest

final class ProbeStateTests: XCTestCase {
    func testExportedStatisticsAddUpAcrossShards() throws {
        let plugin = try Plugins.probe("linear:fit=lstsq,bias=true")
        XCTAssertTrue(plugin.supportsState)
        let C = 6, h = 4, w = 4, H = 8, W = 8
        let spec = ProbeSpec(labelKind: .continuous, channels: C)
        let whole = try plugin.instantiate(spec), first = try plugin.instantiate(spec), second = try plugin.instantiate(spec)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<10 {
            let a = (0..<(C * h * w)).map { _ in Float.random(in: -1...1, using: &rng) }
            let l = (0..<(H * W)).map { _ in Float.random(in: 0...1, using: &rng) }
            for p in [whole, i < 4 ? first : second] {
                try p.addExample(activation: a, activationShape: [C, h, w], label: l, labelShape: [H, W])
            }
        }
        let merged = try plugin.instantiate(spec)
        try merged.importState(try first.exportState())
        XCTAssertEqual(try merged.exportState(), try first.exportState(), "import into a fresh probe is exact")
        try merged.importState(try second.exportState())
        let sm = try merged.exportState(), sw = try whole.exportState()
        XCTAssertEqual(sm.count, sw.count)
        var ds = 0.0
        for (x, y) in zip(sm, sw) {
            let d: Double = abs(x - y) / max(1, abs(y))
            ds = ds.isNaN || d.isNaN ? .nan : max(ds, d)
        }
        try merged.fit()
        try whole.fit()
        let m = try merged.weights(), o = try whole.weights()
        let dw = Fixtures.maxdiff(m.weight + m.bias, o.weight + o.bias)
        print("linear lstsq, 2 exported shards vs one probe: statistics rel. maxdiff \(ds), weights maxdiff \(dw)")
        XCTAssertLessThan(ds, 1e-12)
        XCTAssertLessThan(dw, 1e-5)

        XCTAssertThrowsError(try merged.importState([1, 2, 3])) { print("wrong-sized state: \($0)") }
        let adam = try Plugins.probe("linear").instantiate(spec)
        XCTAssertThrowsError(try adam.exportState()) { print("fit=adam: \($0)") }
    }
}
