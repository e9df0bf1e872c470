// Metrics against scipy/numpy (tools/make_study_fixtures.py → Fixtures/study/metrics).
import Study
import XCTest
import Tensor

final class MetricsTests: XCTestCase {
    func testMetricsMatchScipy() throws {
        let pred = try StudyFixtures.npy("metrics/pred.npy"), label = try StudyFixtures.npy("metrics/label.npy")
        let logits = try StudyFixtures.npy("metrics/logits.npy"), mask = try StudyFixtures.npy("metrics/mask.npy")
        let e = try StudyFixtures.json("metrics/expected.json")
        let K = pred.shape[0], N = pred.shape[1]
        var ds = 0.0, dp = 0.0, dr = 0.0, dd = 0.0
        for k in 0..<K {
            let p = Array(pred.values[k * N..<(k + 1) * N]), l = Array(label.values[k * N..<(k + 1) * N])
            let es = (e["spearman"] as! [Any])[k] as? Double ?? .nan
            let ep = (e["pearson"] as! [Any])[k] as? Double ?? .nan
            if let s = Metrics.spearman(p, l) { ds = ds.nanAwareMax(abs(s - es)) } else { XCTAssertTrue(es.isNaN, "image \(k): spearman undefined here, scipy \(es)") }
            if let r = Metrics.pearson(p, l) { dp = dp.nanAwareMax(abs(r - ep)) } else { XCTAssertTrue(ep.isNaN, "image \(k)") }
            dr = dr.nanAwareMax(abs(Metrics.rmse(p, l) - ((e["rmse"] as! [Double])[k])))
            let lg = Array(logits.values[k * 2 * N..<(k + 1) * 2 * N]), m = Array(mask.values[k * N..<(k + 1) * N])
            dd = dd.nanAwareMax(abs(Metrics.dice(logits: lg, label: m) - (e["dice"] as! [Double])[k]))
        }
        print("metrics maxdiff vs scipy: spearman \(ds), pearson \(dp), rmse \(dr), dice \(dd)")
        XCTAssertLessThan(ds, 1e-9)
        XCTAssertLessThan(dp, 1e-6)
        XCTAssertLessThan(dr, 1e-6)
        XCTAssertLessThan(dd, 1e-12)
        XCTAssertNil(Metrics.spearman(Array(pred.values[3 * N..<4 * N]), Array(label.values[3 * N..<4 * N])))
    }

    func testAverageRanksLikeScipy() throws {
        let e = try StudyFixtures.json("metrics/expected.json")["ranks_example"] as! [String: [Double]]
        XCTAssertEqual(Metrics.averageRanks(e["input"]!.map(Float.init)), e["ranks"]!)
    }

    func testBootstrapReplaysNumpy() throws {
        let b = try StudyFixtures.json("metrics/expected.json")["bootstrap"] as! [String: Any]
        let ci = Bootstrap.meanInterval(b["values"] as! [Double], resamples: b["resamples"] as! Int,
                                        seed: UInt64(b["seed"] as! Int))
        let d = StudyFixtures.maxdiff([ci.value, ci.low, ci.high],
                                      [b["mean"] as! Double, b["low"] as! Double, b["high"] as! Double])
        print("bootstrap maxdiff vs numpy replay: \(d) (mean \(ci.value), 95% [\(ci.low), \(ci.high)], n \(ci.n))")
        XCTAssertLessThan(d, 1e-12)
        XCTAssertEqual(ci.n, (b["values"] as! [Double]).count)
    }

    func testFractionSplitIsSeededAndDisjoint() {
        let ids = (0..<20).map { "id\($0)" }
        let a = DataSplit.fraction(ids, trainFraction: 0.4, seed: 3), b = DataSplit.fraction(ids.reversed(), trainFraction: 0.4, seed: 3)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.train.count, 8)
        XCTAssertEqual(Set(a.train + a.test).count, 20)
        XCTAssertNotEqual(DataSplit.fraction(ids, trainFraction: 0.4, seed: 4).train, a.train)
    }
}
