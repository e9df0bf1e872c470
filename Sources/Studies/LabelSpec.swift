// One grammar for a study property, in every command: NAME=LABELER[:SOURCE][,key=value…].
//   fg=world-foreground                      an estimator: labels the generated image
//   depth=midas:labels/midas,normalize=minmax  an importer: reads SOURCE, labeler parameters after the comma
import FileFormats

public struct LabelSpec: Codable, Equatable, Sendable {
    /// The property's name (a metrics.csv `property`).
    public var name: String
    /// The labeler plugin spec "LABELER[:key=value,…]".
    public var labeler: String
    /// The labeler's source (a folder or file), "" when it labels the image itself.
    public var source: String

    public init(name: String, labeler: String, source: String = "") {
        self.name = name
        self.labeler = labeler
        self.source = source
    }

    public init(parsing s: String) throws {
        let bad = { (why: String) in
            StudiesError.option(flag: "label", value: s, reason: why + " (expected NAME=LABELER[:SOURCE][,key=value…], "
                                + "e.g. fg=world-foreground or depth=midas:labels/midas,normalize=minmax)")
        }
        guard let eq = s.firstIndex(of: "=") else { throw bad("no '='") }
        let name = String(s[..<eq]), rest = String(s[s.index(after: eq)...])
        guard !name.isEmpty, !name.contains(":"), !name.contains(",") else { throw bad("empty or malformed NAME") }
        // NAME becomes a folder (labels/NAME, predictions/NAME): no separators, no '..'.
        try SafePath.checkName(name, what: "--label \(s): NAME")
        let head: String, params: String?
        if let comma = rest.firstIndex(of: ",") {
            head = String(rest[..<comma])
            params = String(rest[rest.index(after: comma)...])
        } else {
            head = rest
            params = nil
        }
        let parts = head.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let plugin = parts.first, !plugin.isEmpty else { throw bad("no LABELER") }
        self.name = name
        self.source = parts.count > 1 ? parts[1] : ""
        self.labeler = params.map { "\(plugin):\($0)" } ?? plugin
    }
}
