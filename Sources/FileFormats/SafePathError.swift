// SafePathError: a name or path from an input that would leave its output folder (see SafePath).

/// "<what> '<value>' <problem> (hint: …)", one line.
public enum SafePathError: Error, CustomStringConvertible, Equatable {
    /// `what` says where the value came from ("image id in shard/manifest.json"), `problem` what is wrong with it.
    case unsafe(what: String, value: String, problem: String)

    public var description: String {
        guard case let .unsafe(what, value, problem) = self else { return "" }
        let shown = value.count > 80 ? String(value.prefix(80)) + "…" : value
        let printable = shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : String($0) }.joined()
        return "\(what) '\(printable)' \(problem) (hint: names that become files may not contain '/', '..' or start with '.')"
    }
}
