// CLIPError: input problems of the text encoder (weight key problems are WeightSourceError).

/// What can go wrong running the text encoder (weight problems are WeightSourceError).
public enum CLIPError: Error, CustomStringConvertible {
    case badInput(String)
    public var description: String { "text encoder: \(self.reason) (hint: tokenize with CLIPTokenizer.encode)" }
    private var reason: String { switch self { case .badInput(let r): return r } }
}
