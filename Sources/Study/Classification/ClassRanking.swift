// Top-k of a classifier's probabilities, and resolving a target class given by name or index.
import Foundation

/// One ranked class.
public struct RankedClass: Codable, Equatable, Sendable {
    public var index: Int
    public var label: String
    public var probability: Float

    public init(index: Int, label: String, probability: Float) {
        self.index = index
        self.label = label
        self.probability = probability
    }
}

public enum ClassRanking {
    /// The `k` most probable classes, most probable first (ties: lower index first).
    public static func top(_ probabilities: [Float], labels: [String], k: Int) -> [RankedClass] {
        let order = probabilities.indices.sorted {
            probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1
        }
        return order.prefix(max(0, k)).map {
            RankedClass(index: $0, label: $0 < labels.count ? labels[$0] : "class_\($0)", probability: probabilities[$0])
        }
    }

    /// 1-based rank of class `index` (1 = top-1).
    public static func rank(of index: Int, in probabilities: [Float]) -> Int {
        let p = probabilities[index]
        var rank = 1
        for (i, q) in probabilities.enumerated() where q > p || (q == p && i < index) { rank += 1 }
        return rank
    }

    /// A class given as an index ("951") or a label ("lemon", case-insensitive; also any comma-separated synonym
    /// of a label). Throws with close matches when nothing fits.
    public static func resolve(_ text: String, labels: [String]) throws -> Int {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let i = Int(t) {
            guard i >= 0 && i < labels.count else {
                throw ClassificationError.unknownClass(text, suggestions: [], count: labels.count)
            }
            return i
        }
        let key = t.lowercased()
        if let i = labels.firstIndex(where: { $0.lowercased() == key }) { return i }
        if let i = labels.firstIndex(where: { $0.lowercased().split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces) }.contains(key) }) {
            return i
        }
        let close = labels.enumerated().filter { $0.element.lowercased().contains(key) }.prefix(5)
            .map { "\($0.element) (\($0.offset))" }
        throw ClassificationError.unknownClass(text, suggestions: Array(close), count: labels.count)
    }

    /// The class whose label appears in `prompt` as whole words (the longest such label), or nil: how a prompt
    /// like "a photo of a lemon on a table" names its target.
    public static func find(in prompt: String, labels: [String]) -> Int? {
        let words = " " + prompt.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " }
            .reduce(into: "") { $0.append($1) }.split(separator: " ").joined(separator: " ") + " "
        var best: (Int, Int)?
        for (i, label) in labels.enumerated() {
            let l = label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " }
                .reduce(into: "") { $0.append($1) }.split(separator: " ").joined(separator: " ")
            guard !l.isEmpty, words.contains(" " + l + " ") else { continue }
            if best == nil || l.count > best!.1 { best = (i, l.count) }
        }
        return best?.0
    }
}
