// --shard K/N: the K-th (1-based) of N disjoint, contiguous, near-equal parts of a prompts file, so that N
// independent jobs (a Slurm array) cover every row exactly once and `ldmprobe merge` can join their run folders.

/// One part of a partition of n items into `count` contiguous blocks whose sizes differ by at most one.
public struct ShardSpec: Equatable, Codable, Sendable, CustomStringConvertible {
    /// 1-based index K.
    public var index: Int
    /// Number of shards N.
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 1, index <= count else {
            throw PipelineError.invalidOption(option: "--shard", reason: "\(index)/\(count): need 1 ≤ K ≤ N (K is 1-based)")
        }
        self.index = index
        self.count = count
    }

    /// Parses "K/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw PipelineError.invalidOption(option: "--shard", reason: "'\(text)' is not K/N (e.g. 3/8)")
        }
        try self.init(index: k, count: n)
    }

    /// The whole input.
    public static let all = try! ShardSpec(index: 1, count: 1)

    public var description: String { "\(index)/\(count)" }

    /// The half-open range of item indices this shard owns out of `total`: blocks of ⌊total/N⌋, the first
    /// total mod N blocks one larger.
    public func range(of total: Int) -> Range<Int> {
        let base = total / count, extra = total % count
        let k = index - 1
        let start = k * base + min(k, extra)
        let size = base + (k < extra ? 1 : 0)
        return start ..< start + size
    }

    /// This shard's part of `items`.
    public func select<T>(_ items: [T]) -> [T] { Array(items[range(of: items.count)]) }
}
