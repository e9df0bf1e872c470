// Early exit (issue #17): what a run does after its first K UNet calls of the full schedule.
//
//   stop       decode the x̂0 the sampler predicted at call K − 1 (no further calls);
//   stride S   continue from x_{t_K} at calls K, K + S, K + 2S, … of the same plan, then the plan's last call,
//              each jump a deterministic DDIM update to the next visited call's timestep (StrideContinuation).
//
// K counts calls (0 … U); K = U leaves nothing to change, so every policy then is the full run itself. K = 0
// with a stride is the plain fewer-steps baseline (strided from the first call); stop needs K ≥ 1.

/// One way of finishing a run after K calls.
public enum EarlyExitPolicy: Equatable, Hashable, Codable, Sendable {
    case stop
    case stride(Int)

    /// CSV/chart name: `stop`, `stride2`, …
    public var name: String {
        switch self {
        case .stop: return "stop"
        case let .stride(s): return "stride\(s)"
        }
    }

    /// The calls made after the first `after` of a `callCount`-call plan: none for stop; for stride S the visited
    /// calls after, after + S, … below the last call, then the last call (empty when after = callCount).
    public func callsAfter(_ after: Int, callCount: Int) -> [Int] {
        guard case let .stride(s) = self, after < callCount, s >= 1 else { return [] }
        return Array(Swift.stride(from: after, to: callCount - 1, by: s)) + [callCount - 1]
    }

    /// UNet calls this policy makes in all (the shared first `after` included).
    public func totalCalls(after: Int, callCount: Int) -> Int { after + callsAfter(after, callCount: callCount).count }
}
