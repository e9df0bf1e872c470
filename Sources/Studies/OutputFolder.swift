// Every command's --out: created if missing; a non-empty folder is refused unless the command resumes it
// (--resume) or the user asked to replace it (--overwrite). --overwrite removes only a folder ldmprobe made: one
// holding its marker file (written into every --out it creates) or, from before the marker, one of its top-level
// results (manifest.json, study.json, index.html); anything else is the user's and is refused.
import FileFormats
import Foundation

public enum OutputFolder {
    public enum Policy: String, Codable, Sendable { case refuseNonEmpty, resume, overwrite }

    public static func prepare(_ url: URL, policy: Policy) throws {
        let fm = FileManager.default
        let entries = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
        if !entries.isEmpty {
            switch policy {
            case .refuseNonEmpty:
                throw StudiesError.folder(path: url.path, reason: "--out is not empty (hint: --resume to continue it, "
                                          + "--overwrite to replace it, or choose another folder)")
            case .overwrite:
                guard madeByLDMProbe(entries) else {
                    throw StudiesError.folder(path: url.path, reason: "--overwrite: this folder was not made by "
                                              + "ldmprobe (no \(marker), manifest.json, study.json or index.html); "
                                              + "remove it yourself or choose another folder")
                }
                try fm.removeItem(at: url)
            case .resume: break
            }
        } else if fm.fileExists(atPath: url.path), (try? fm.contentsOfDirectory(atPath: url.path)) == nil {
            throw StudiesError.folder(path: url.path, reason: "--out exists and is not a folder")
        }
        try AtomicFile.createFolder(url)
        let markerURL = url.appendingPathComponent(marker)
        if !fm.fileExists(atPath: markerURL.path) {
            try AtomicFile.write("made by ldmprobe; `--overwrite` may replace this folder\n", to: markerURL)
        }
    }

    /// The file that marks a folder as ldmprobe's output.
    public static let marker = ".ldmprobe-output"

    static func madeByLDMProbe(_ entries: [String]) -> Bool {
        entries.contains(marker) || entries.contains("manifest.json") || entries.contains("study.json")
            || entries.contains("index.html")
    }
}
