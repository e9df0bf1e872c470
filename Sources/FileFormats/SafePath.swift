// SafePath: the one check for names that become file names (image ids from manifests and CSVs, label and
// property names, layer names) and for paths built from them, so that no input can make ldmprobe write outside
// its output folder: no separators, no "..", no absolute paths, no NUL, nothing hidden.
import Foundation

public enum SafePath {
    /// Longest accepted name in bytes (ext4 allows 255; a suffix such as "_label.png" is added later).
    public static let maxNameBytes = 200

    /// Throws unless `name` is one plain path component: not empty, no "/", "\\" or NUL, not "." or "..", not
    /// starting with "." (hidden files are where temporaries live) and at most `maxNameBytes` long.
    /// `what` says where the name came from ("image id in shard/manifest.json").
    public static func checkName(_ name: String, what: String) throws {
        func bad(_ problem: String) -> SafePathError { SafePathError.unsafe(what: what, value: name, problem: problem) }
        guard !name.isEmpty else { throw bad("is empty") }
        guard name.utf8.count <= maxNameBytes else { throw bad("is longer than \(maxNameBytes) bytes") }
        guard !name.contains("/"), !name.contains("\\"), !name.utf8.contains(0) else {
            throw bad("contains a path separator or NUL")
        }
        guard !name.hasPrefix(".") else { throw bad("starts with '.' (\"..\", hidden or relative names are refused)") }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw bad("contains a control character")
        }
    }

    /// `folder/relative`, after checking every component of `relative` with `checkName`; the result is verified to
    /// lie inside `folder` once "." and ".." are resolved.
    public static func join(_ folder: URL, _ relative: String, what: String) throws -> URL {
        guard !relative.hasPrefix("/") else {
            throw SafePathError.unsafe(what: what, value: relative, problem: "is an absolute path")
        }
        for part in relative.split(separator: "/", omittingEmptySubsequences: false) {
            try checkName(String(part), what: what)
        }
        let url = folder.appendingPathComponent(relative)
        try checkInside(url, folder, what: what)
        return url
    }

    /// Throws unless `url` lies inside `folder` (lexically: both standardised, "." and ".." resolved).
    public static func checkInside(_ url: URL, _ folder: URL, what: String) throws {
        let base = folder.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        let prefix = base.hasSuffix("/") ? base : base + "/"
        guard path.hasPrefix(prefix) else {
            throw SafePathError.unsafe(what: what, value: url.path, problem: "lies outside the output folder \(base)")
        }
    }
}
