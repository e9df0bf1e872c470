// The layout of a run folder (docs/run-folder.md):
//   manifest.json
//   images/<id>.png                         8-bit RGB
//   latents/<id>.npy                        float32 [U+1, 4, h, w]: the initial latent, then x after each call
//   activations/<id>/<layer>.npy            [U, C, h, w] one branch, or [U, 2, C, h, w] (uncond, cond)
//   intermediates/<id>/xt_<call>.png        decoded x after call <call> (0-based, two digits or more)
//   intermediates/<id>/x0_<call>.png        decoded predicted x0 at call <call>
// Every file is written under a temporary name and renamed; an image counts as finished only when the manifest
// says "done", which is written after all its files.
import FileFormats
import Foundation

/// Paths inside a run folder and the operations resume and merge need.
public struct RunFolder: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public var manifestURL: URL { url.appendingPathComponent("manifest.json") }
    public var imagesFolder: URL { url.appendingPathComponent("images") }
    public var latentsFolder: URL { url.appendingPathComponent("latents") }
    public var activationsFolder: URL { url.appendingPathComponent("activations") }
    public var intermediatesFolder: URL { url.appendingPathComponent("intermediates") }

    public func imageURL(_ id: String) -> URL { imagesFolder.appendingPathComponent("\(id).png") }
    public func latentsURL(_ id: String) -> URL { latentsFolder.appendingPathComponent("\(id).npy") }
    public func activationsFolder(_ id: String) -> URL { activationsFolder.appendingPathComponent(id) }
    public func activationURL(_ id: String, layer: String) -> URL {
        activationsFolder(id).appendingPathComponent("\(layer).npy")
    }
    public func intermediatesFolder(_ id: String) -> URL { intermediatesFolder.appendingPathComponent(id) }
    /// kind: "xt" or "x0"; call 0-based.
    public func intermediateURL(_ id: String, kind: String, call: Int) -> URL {
        intermediatesFolder(id).appendingPathComponent(kind + "_" + (call < 10 ? "0\(call)" : "\(call)") + ".png")
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: manifestURL.path) }

    public func readManifest() throws -> RunManifest { try RunManifest.read(manifestURL) }

    /// Every file of image `id` (those that exist).
    public func files(of id: String) -> [URL] {
        var out: [URL] = []
        let fm = FileManager.default
        for u in [imageURL(id), latentsURL(id)] where fm.fileExists(atPath: u.path) { out.append(u) }
        for folder in [activationsFolder(id), intermediatesFolder(id)] {
            if let names = try? fm.contentsOfDirectory(atPath: folder.path) {
                out += names.sorted().filter { !AtomicFile.isTemporaryName($0) }.map { folder.appendingPathComponent($0) }
            }
        }
        return out
    }

    /// Removes every output of image `id` (before it is redone), so nothing stale survives next to new files.
    public func removeOutputs(of id: String) {
        let fm = FileManager.default
        for u in [imageURL(id), latentsURL(id), activationsFolder(id), intermediatesFolder(id)] {
            try? fm.removeItem(at: u)
        }
    }

    /// Removes temporary files left by interrupted writes (names from AtomicFile.temporaryURL) anywhere inside.
    @discardableResult
    public func removeTemporaries() -> Int {
        var removed = 0
        guard let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { return 0 }
        for case let u as URL in e where AtomicFile.isTemporaryName(u.lastPathComponent) {
            if (try? FileManager.default.removeItem(at: u)) != nil { removed += 1 }
        }
        return removed
    }
}
