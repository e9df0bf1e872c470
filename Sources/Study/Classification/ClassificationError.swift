// Errors of the per-step classification study.
public enum ClassificationError: Error, CustomStringConvertible {
    case unknownClass(String, suggestions: [String], count: Int)
    case missingIntermediates(run: String, message: String)
    case badTargets(file: String, message: String)
    case classifier(String)

    public var description: String {
        switch self {
        case let .unknownClass(t, s, n):
            return "unknown class '\(t)'" + (s.isEmpty ? " (hint: a label or an index 0..<\(n))"
                                                       : " (did you mean: \(s.joined(separator: ", "))?)")
        case let .missingIntermediates(run, m):
            return "run '\(run)': \(m) (hint: generate with --save-intermediates xt|x0|both)"
        case let .badTargets(file, m):
            return "targets '\(file)': \(m) (hint: CSV with a header: id,class or prompt_ind,class)"
        case let .classifier(m):
            return m
        }
    }
}
