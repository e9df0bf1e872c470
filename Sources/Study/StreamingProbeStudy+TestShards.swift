// Test shards of the streaming study (see StreamingProbeStudy+Shards.swift): a test shard measures its images
// with the imported weights and exports the per-image metric values; the report imports every shard's and
// finishes as the single-process study does. Values are kept by test index, so shards may arrive in any order.
import Foundation

extension StreamingProbeStudy.MetricTable {
    /// [property] → values with NaN where undefined (metric · tests + test).
    func exported(_ prefix: String, _ names: [String], into out: inout [String: [Double]]) {
        for k in metrics.indices {
            out[prefix + names[k]] = values[k].indices.map { defined[k][$0] ? values[k][$0] : .nan }
        }
    }

    /// Copies the defined values of tests `ts` from an exported table.
    mutating func imported(_ prefix: String, _ names: [String], tests ts: [Int], from state: [String: [Double]],
                           what: String) throws {
        for k in metrics.indices {
            guard let v = state[prefix + names[k]], v.count == values[k].count else {
                throw StudyError.badInput("\(what): '\(prefix)\(names[k])' missing or not \(values[k].count) values (hint: the same flags for every stage)")
            }
            for m in metrics[k].indices {
                for t in ts where !v[m * tests + t].isNaN {
                    values[k][m * tests + t] = v[m * tests + t]
                    defined[k][m * tests + t] = true
                }
            }
        }
    }
}

extension StreamingProbeStudy {
    /// The test images' metric values so far (NaN: not measured or undefined) and the prediction records.
    public func exportTestState() -> (values: [String: [Double]], predictions: [PredictionRecord]) {
        var out: [String: [Double]] = [:]
        let names = properties.map(\.name)
        for c in cells {
            let k = "\(c.layer)/step_\(c.step)/"
            c.values.exported("values/" + k, names, into: &out)
            if options.shuffledControl { c.controlValues.exported("control_values/" + k, names, into: &out) }
        }
        layoutValues.exported("layout_values/", names, into: &out)
        for (m, p) in properties.enumerated() { out["cap/" + p.name] = capValues[m].map { $0 ?? .nan } }
        return (out, results.predictions)
    }

    /// Imports the values of test images `ids` from an exported state (a shard's, or a checkpoint's).
    public func importTestState(_ state: [String: [Double]], predictions: [PredictionRecord], ids: [String],
                                what: String) throws {
        var ts: [Int] = []
        for id in ids {
            guard let t = testIndex[id], testSeen.insert(id).inserted else {
                throw StudyError.badInput("\(what): test image \(id) unknown or covered twice")
            }
            ts.append(t)
        }
        let names = properties.map(\.name)
        for i in cells.indices {
            let k = "\(cells[i].layer)/step_\(cells[i].step)/"
            try cells[i].values.imported("values/" + k, names, tests: ts, from: state, what: what)
            if options.shuffledControl {
                try cells[i].controlValues.imported("control_values/" + k, names, tests: ts, from: state, what: what)
            }
        }
        try layoutValues.imported("layout_values/", names, tests: ts, from: state, what: what)
        for (m, p) in properties.enumerated() {
            guard let v = state["cap/" + p.name], v.count == capValues[m].count else {
                throw StudyError.badInput("\(what): 'cap/\(p.name)' missing or not \(capValues[m].count) values")
            }
            for t in ts where !v[t].isNaN { capValues[m][t] = v[t] }
        }
        let covered = Set(ids)
        results.predictions += predictions.filter { covered.contains($0.id) }
    }

    /// Test images measured so far.
    public var measuredTests: Set<String> { testSeen }
}
