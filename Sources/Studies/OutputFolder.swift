// Every command's --out: created if missing; a non-empty folder is refused unless the command resumes it
// (--resume) or the user asked to replace it (--overwrite).
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
            case .overwrite: try fm.removeItem(at: url)
            case .resume: break
            }
        } else if fm.fileExists(atPath: url.path), (try? fm.contentsOfDirectory(atPath: url.path)) == nil {
            throw StudiesError.folder(path: url.path, reason: "--out exists and is not a folder")
        }
        try AtomicFile.createFolder(url)
    }
}
