// A word-map input that cannot be aggregated: one line naming the layer (or parameter) and the problem, with a hint.
public struct WordMapError: Error, CustomStringConvertible {
    public let what: String
    public let reason: String

    public init(what: String, reason: String) {
        self.what = what
        self.reason = reason
    }

    public var description: String { "\(what): \(reason)" }
}
