// Errors of the studies library: one line naming the flag, file or folder and the problem, with a hint.
public enum StudiesError: Error, CustomStringConvertible {
    /// A value given for an option (flag name without dashes, the value, what is wrong).
    case option(flag: String, value: String, reason: String)
    /// An output or input folder that cannot be used as asked.
    case folder(path: String, reason: String)

    public var description: String {
        switch self {
        case let .option(flag, value, reason): return "--\(flag) '\(value)': \(reason)"
        case let .folder(path, reason): return "\(path): \(reason)"
        }
    }
}
