// Study: splits, metrics with bootstrap intervals, the probe driver, and the files a study writes (metrics
// tables, probe weights, predicted maps, charts, the HTML report). Errors name the file, layer or option at fault.

/// Everything that can go wrong in a probing study.
public enum StudyError: Error, CustomStringConvertible {
    /// A file is missing, unreadable or has the wrong shape.
    case badInput(String)
    /// An option or argument is invalid.
    case invalidArgument(String)
    /// A plugin call failed (its message is included).
    case plugin(String)

    public var description: String {
        switch self {
        case .badInput(let m), .invalidArgument(let m), .plugin(let m): return m
        }
    }
}
