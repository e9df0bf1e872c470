// Equal compute: is "full steps first, then cheaper" better than running fewer steps from the start? Each
// policy × K (K ≥ 1) is paired with every baseline — a stride policy at K = 0, the same grid strided from the first
// call — that costs the same UNet calls, and the per-image difference (policy − baseline) of each measure gets
// its mean and bootstrap 95 % interval (early_exit_paired.csv, a table on the page).
import Study

struct EarlyExitPair {
    var policy: EarlyExitPolicy
    var after: Int
    var calls: Int
    var baseline: EarlyExitPolicy
    var measure: String
    var difference: MeanInterval

    static let header = ["policy", "after", "unet_calls", "baseline", "measure", "difference", "low", "high", "n"]

    var fields: [String] {
        [policy.name, "\(after)", "\(calls)", "\(baseline.name)@K=0", measure, EarlyExitReport.number(difference.value),
         EarlyExitReport.number(difference.low), EarlyExitReport.number(difference.high), "\(difference.n)"]
    }

    /// The measures compared, with PSNR capped as in the means.
    static let measures: [(String, (EarlyExitRow) -> Double?)] = [
        ("perceptual", { $0.perceptual }),
        ("psnr_db", { min($0.psnr, EarlyExitReport.psnrCap) }),
        ("top1_agree", { $0.agrees }),
        ("foreground_dice", { $0.foregroundDice }),
        ("depth_spearman", { $0.depthSpearman.flatMap { $0.isNaN ? nil : $0 } }),
    ]

    static func pairs(_ rows: [EarlyExitRow], config: EarlyExitConfig) -> [EarlyExitPair] {
        // Row groups by (policy, K), each keyed by image id; calls are the same for every image of a group.
        var groups: [String: [String: EarlyExitRow]] = [:]
        for r in rows { groups["\(r.policy.name)/\(r.after)", default: [:]][r.id] = r }
        let baselines = config.policies.filter { $0 != .stop }.compactMap { p in groups["\(p.name)/0"].map { (p, $0) } }
        var out: [EarlyExitPair] = []
        for policy in config.policies {
            for k in config.after where k > 0 {
                guard let g = groups["\(policy.name)/\(k)"], let calls = g.values.first?.calls,
                      g.values.allSatisfy({ $0.calls == calls }) else { continue }
                for (base, b) in baselines where b.values.first?.calls == calls && b.values.allSatisfy({ $0.calls == calls }) {
                    let ids = g.keys.sorted().filter { b[$0] != nil }
                    for (name, f) in measures {
                        let d = ids.compactMap { id -> Double? in
                            guard let x = g[id].flatMap(f), let y = b[id].flatMap(f) else { return nil }
                            return x - y
                        }
                        guard !d.isEmpty else { continue }
                        out.append(EarlyExitPair(policy: policy, after: k, calls: calls, baseline: base, measure: name,
                                                 difference: Bootstrap.meanInterval(d, resamples: config.bootstrap,
                                                                                    seed: config.bootstrapSeed)))
                    }
                }
            }
        }
        return out
    }
}
