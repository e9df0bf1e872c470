// One grammar for UNet-call indices, in every command (probe, intervene, …): a comma-separated list of indices
// (0-based), ranges A-B, `all` and `last`, e.g. "0-4", "0,5,last", "all". Resolved against the run's call count.
public struct CallIndices: Codable, Equatable, Sendable, CustomStringConvertible {
    public let text: String
    /// The flag named in errors.
    public let flag: String

    public init(_ text: String, flag: String = "calls") throws {
        self.text = text
        self.flag = flag
        _ = try items()  // syntax now, range when the count is known
    }

    public var description: String { text }

    /// No sampler plans more UNet calls than this (GenerationSettings bounds steps at 10,000).
    public static let maxIndex = 100_000

    enum Item { case index(Int), range(Int, Int), all, last }

    func items() throws -> [Item] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { throw error("empty") }
        return try parts.map { p in
            if p == "all" { return .all }
            if p == "last" { return .last }
            let b = p.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            // Indices past maxIndex are refused here, before a range is ever expanded into a set.
            if b.count == 1, let a = b[0], (0...Self.maxIndex).contains(a) { return .index(a) }
            if b.count == 2, let a = b[0], let c = b[1], a >= 0, a <= c, c <= Self.maxIndex { return .range(a, c) }
            throw error("'\(p.prefix(60))' is not an index in 0…\(Self.maxIndex), a range A-B (A ≤ B), all or last")
        }
    }

    func error(_ why: String) -> StudiesError {
        .option(flag: flag, value: text, reason: why + " (UNet call indices: e.g. 0-4, 0,5,last or all)")
    }

    /// The indices in ascending order without repeats; each must be < `calls`.
    public func resolve(calls: Int) throws -> [Int] {
        var out = Set<Int>()
        for item in try items() {
            switch item {
            case .all: out.formUnion(0..<calls)
            case .last: if calls > 0 { out.insert(calls - 1) }
            case let .index(a): out.insert(a)
            case let .range(a, b):
                guard b < calls else { throw error("call \(b) is past the last call \(calls - 1) (\(calls) UNet calls)") }
                out.formUnion(a...b)
            }
        }
        if let bad = out.first(where: { $0 >= calls }) {
            throw error("call \(bad) is past the last call \(calls - 1) (\(calls) UNet calls)")
        }
        return out.sorted()
    }
}
