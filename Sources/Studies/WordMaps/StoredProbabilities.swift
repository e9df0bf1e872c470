// Reads a run folder's stored cross-attention probabilities (`activations/<id>/<…attn2.probs>.npy`, float16 or
// float32 [U, heads, h·w, S], or [U, 2, heads, h·w, S] with both branches: the conditional one is used) and hands
// them call by call, as the UNet would have during generation.
import FileFormats
import Foundation
import Models
import Pipeline

public enum StoredProbabilities {
    /// The `…attn2.probs` files stored for image `id` (sorted names; empty when none).
    public static func files(run: RunFolder, id: String) -> [URL] {
        let dir = run.url.appendingPathComponent("activations").appendingPathComponent(id)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(Attention.probsSuffix + ".npy") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// Feeds every stored probability capture of `id` to `visit(point, call, values [heads, h·w, S])`; returns
    /// the number of UNet calls (0 when nothing is stored).
    @discardableResult
    public static func feed(run: RunFolder, id: String,
                            _ visit: (CapturePoint, Int, [Float]) throws -> Void) throws -> Int {
        var calls = 0
        for url in files(run: run, id: id) {
            let a = try NpyArray.read(url)
            let s = a.shape
            guard s.count == 4 || s.count == 5, s.allSatisfy({ $0 > 0 }) else {
                throw StudiesError.folder(path: url.path, reason: "shape \(s) is not [U, heads, h·w, S] (or [U, 2, …]) "
                                          + "(hint: store them with --capture '*attn2.probs')")
            }
            let inner = Array(s.suffix(3)), n = inner.reduce(1, *)
            let point = CapturePoint(path: url.deletingPathExtension().lastPathComponent, channels: inner[0],
                                     height: inner[1], width: inner[2], tokens: false)
            let values = a.floats(), per = values.count / s[0]
            for k in 0 ..< s[0] {
                let start = k * per + per - n   // the conditional branch is the last of a call's slice
                try visit(point, k, Array(values[start ..< start + n]))
            }
            calls = max(calls, s[0])
        }
        return calls
    }
}
