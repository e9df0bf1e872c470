// PluginHost — the outcome of loading one library.

/// What loading one library gave: its plugins, and the problems met (a whole-library failure, or one bad
/// descriptor among good ones).
public struct LibraryRecord: @unchecked Sendable {
    public var path: String
    public var plugins: [PluginInfo]
    public var problems: [String]
}
