// SafePathError: a name or path from an input that would leave its output folder (see SafePath).

/// "<what> '<value>' <problem> (hint: …)", one line.
public struct SafePathError: Error, CustomStringConvertible, Equatable {
    public var what: String
    public var value: String
    public var problem: String

    public init(what: String, value: String, problem: String) {
        self.what = what
        self.value = value
        self.problem = problem
    }

    public var description: String {
        let shown = value.count > 80 ? String(value.prefix(80)) + "…" : value
        let printable = shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : String($0) }.joined()
        return "\(what) '\(printable)' \(problem) (hint: names that become files may not contain '/', '..' or start with '.')"
    }
}
