// Atomic file writes: write to a temporary name in the destination's folder, then rename over the destination.
// A reader therefore sees either the old file or the complete new one, never a partial file (rename(2) is atomic
// within one file system, which is why the temporary lives in the same folder).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that they appear complete or not at all. Every ldmprobe writer goes through here.
public enum AtomicFile {
    /// Prefix of every temporary name, so that cleaning up can never take a user's own hidden `.*.tmp` file.
    public static let temporaryPrefix = ".ldmprobe-"

    /// A temporary path beside `url`: `.ldmprobe-<pid>-<random>.<name>.tmp`, hidden, unique per process and call,
    /// so that an interrupted write is recognisable (and `ldmprobe generate --resume` can clean it up).
    public static func temporaryURL(for url: URL) -> URL {
        let unique = "\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let name = "\(temporaryPrefix)\(unique).\(url.lastPathComponent).tmp"
        return url.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// True for names made by `temporaryURL(for:)` (and only those: a user's `.notes.tmp` is not one).
    public static func isTemporaryName(_ name: String) -> Bool {
        name.hasPrefix(temporaryPrefix) && name.hasSuffix(".tmp")
    }

    /// Writes `data` to `url` atomically, creating missing parent folders.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { tmp in
            do {
                try data.write(to: tmp)
            } catch {
                throw FileFormatsError.io(path: url.path, message: "cannot write: \(error.localizedDescription)")
            }
        }
    }

    /// Writes a UTF-8 string to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Calls `body` with a temporary path beside `url`; when it returns, renames the temporary file to `url`.
    /// If `body` throws, the temporary file is removed and the error is rethrown (`url` is left untouched).
    public static func write(to url: URL, _ body: (URL) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        try createFolder(folder)
        let tmp = temporaryURL(for: url)
        do {
            try body(tmp)
        } catch {
            unlink(tmp.path)
            throw error
        }
        try commit(tmp, to: url)
    }

    /// Renames a finished temporary file onto its destination (atomic replace).
    public static func commit(_ tmp: URL, to url: URL) throws {
        if rename(tmp.path, url.path) != 0 {
            let message = String(cString: strerror(errno))
            unlink(tmp.path)
            throw FileFormatsError.io(path: url.path, message: "cannot rename \(tmp.lastPathComponent) into place: \(message)")
        }
    }

    /// Creates `folder` and its parents if missing.
    public static func createFolder(_ folder: URL) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw FileFormatsError.io(path: folder.path, message: "exists and is not a folder")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw FileFormatsError.io(path: folder.path, message: "cannot create folder: \(error.localizedDescription)")
        }
    }
}
