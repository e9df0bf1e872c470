// Which capture points a run records: --capture patterns (exact module paths or globs) resolved against the model's
// capture points, and which CFG branch(es) to keep.
import WordMapCore

/// Which classifier-free-guidance branch an activation belongs to. The UNet batch is [uncond, cond].
public enum Branch: String, Codable, Sendable, CaseIterable {
    case uncond
    case cond

    /// Index in the UNet batch.
    public var batchIndex: Int { self == .uncond ? 0 : 1 }
}

/// Which branches to store: `--capture-branch cond|uncond|both`.
public enum BranchSelection: String, Codable, Sendable, CaseIterable {
    case cond, uncond, both

    /// Branches stored, in file order (uncond first).
    public var branches: [Branch] {
        switch self {
        case .cond: return [.cond]
        case .uncond: return [.uncond]
        case .both: return [.uncond, .cond]
        }
    }
}

/// Glob matching of module paths: `*` matches any run of characters (dots included), `?` one character; a pattern
/// without either must equal the path. So `*attn1` is every self-attention output and `up_blocks.3.*` everything
/// inside up_blocks.3 except the cross-attention probabilities, which a glob selects only when it says `probs`
/// (`*attn2.probs`).
public struct CapturePattern: Hashable, Sendable {
    public let text: String
    public init(_ text: String) { self.text = text }

    public var isGlob: Bool { text.contains("*") || text.contains("?") }

    public func matches(_ path: String) -> Bool { LayerGlob.matches(text, path) }
}

/// The capture points a run records, in the model's execution order.
public struct CaptureSelection: Sendable {
    public let points: [CapturePoint]

    /// The studies' default: every self-attention output (`…attn1`).
    public static let defaultPatterns = ["*attn1"]

    /// Resolves `patterns` against `available` (execution order kept, duplicates removed). Throws
    /// `PipelineError.unknownLayer` for a pattern that matches nothing. An empty pattern list selects nothing.
    public init(patterns: [String], available: [CapturePoint]) throws {
        var chosen = Set<String>()
        for text in patterns {
            let pattern = CapturePattern(text)
            // Attention probabilities are big ([heads, h·w, 77] per step): a glob takes them only when it names them.
            let hits = available.filter { pattern.matches($0.path) && (!$0.isAttentionProbabilities || !pattern.isGlob
                                                                       || text.contains("probs")) }
            if hits.isEmpty {
                let example = available.first(where: \.isSelfAttention)?.path ?? available.first?.path ?? "none"
                throw PipelineError.unknownLayer(pattern: text, example: example)
            }
            chosen.formUnion(hits.map(\.path))
        }
        points = available.filter { chosen.contains($0.path) }
    }

    public init(points: [CapturePoint]) { self.points = points }

    public var paths: [String] { points.map(\.path) }
    public var isEmpty: Bool { points.isEmpty }
}
