// RunActivations: the activations a `generate` run recorded, read one (image, layer, step) slice at a time.
// Layout (docs/run-folder.md): <run>/activations/<image id>/<layer>.npy, float16 or float32, shape [U, C, h, w]
// (one branch, the conditional by default) or [U, 2, C, h, w] (both branches: index 1, the conditional, is read):
// U UNet calls (step = 0-based call index), the self-attention output as a [C, h, w] map.
import FileFormats
import Foundation

public final class RunActivations: ActivationSource {
    public let folder: URL
    /// Image ids with an activations folder, sorted.
    public let ids: [String]
    /// Layer names (file names without .npy) of the first id, sorted in UNet order when they are diffusers paths.
    public let layers: [String]
    /// <run>/activations, or where they were spilled.
    public let activationsFolder: URL
    private var headers: [String: NpyHeader] = [:]

    /// `activations`: the <id>/<layer>.npy tree when not <run>/activations (`pipeline` spills there).
    public init(run: URL, activations: URL? = nil) throws {
        folder = run
        let root = activations ?? run.appendingPathComponent("activations")
        activationsFolder = root
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: root.path) else {
            throw StudyError.badInput("\(root.path): no activations folder (hint: run `ldmprobe generate` with --taps, or pass the run folder)")
        }
        ids = entries.filter { !$0.hasPrefix(".") && (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent($0).path)) != nil }.sorted()
        guard let first = ids.first else { throw StudyError.badInput("\(root.path): no image folders") }
        let files = (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(first).path)) ?? []
        // Cross-attention probabilities (`…attn2.probs.npy`, [U, heads, h·w, 77]) are no feature maps: the word-map
        // study reads them, the probes do not.
        layers = RunActivations.unetOrder(files.filter { $0.hasSuffix(".npy") && !$0.hasPrefix(".")
                                                         && !$0.hasSuffix(".probs.npy") }.map { String($0.dropLast(4)) })
        guard !layers.isEmpty else { throw StudyError.badInput("\(root.path)/\(first): no <layer>.npy files") }
    }

    /// down_blocks, mid_block, up_blocks; numerically within each.
    public static func unetOrder(_ names: [String]) -> [String] {
        func key(_ n: String) -> [Int] {
            let block = n.hasPrefix("down_blocks") ? 0 : n.hasPrefix("mid_block") ? 1 : n.hasPrefix("up_blocks") ? 2 : 3
            return [block] + n.split(separator: ".").compactMap { Int($0) }
        }
        return names.sorted { let a = key($0), b = key($1); return a == b ? $0 < $1 : a.lexicographicallyPrecedes(b) }
    }

    func url(_ id: String, _ layer: String) -> URL {
        activationsFolder.appendingPathComponent(id).appendingPathComponent(layer + ".npy")
    }

    /// [U, C, h, w] of a layer (from the first id's file; the branch axis of [U, 2, C, h, w] files dropped).
    public func shape(layer: String) throws -> [Int] {
        let s = try header(ids[0], layer).shape
        return s.count == 5 ? [s[0], s[2], s[3], s[4]] : s
    }

    private func header(_ id: String, _ layer: String) throws -> NpyHeader {
        let key = id + "/" + layer
        if let h = headers[key] { return h }
        let u = url(id, layer)
        guard FileManager.default.fileExists(atPath: u.path) else {
            throw StudyError.badInput("\(u.path): missing (layer \(layer) of image \(id); hint: was it tapped for every image?)")
        }
        let h: NpyHeader
        do { h = try NpyArray.readHeader(u) } catch { throw StudyError.badInput("\(error)") }
        guard h.shape.count == 4 || (h.shape.count == 5 && h.shape[1] == 2), h.dtype == .float32 || h.dtype == .float16 else {
            throw StudyError.badInput("\(u.path): expected float16/float32 [U, C, h, w] or [U, 2, C, h, w], got \(h.dtype.rawValue) \(h.shape)")
        }
        headers[key] = h
        return h
    }

    /// The activation of `id` at `layer` and UNet call `step`: [C, h, w].
    public func slice(id: String, layer: String, step: Int) throws -> [Float] {
        let h = try header(id, layer)
        guard step >= 0, step < h.shape[0] else {
            throw StudyError.invalidArgument("step \(step) out of range: \(url(id, layer).path) holds \(h.shape[0]) UNet calls (0…\(h.shape[0] - 1))")
        }
        let both = h.shape.count == 5
        let count = h.shape.suffix(3).reduce(1, *)  // C·h·w
        let bytes = count * h.dtype.itemSize
        // Both branches stored: step s's conditional map is the second of its two.
        let offset = h.dataOffset + step * bytes * (both ? 2 : 1) + (both ? bytes : 0)
        let u = url(id, layer)
        guard let fh = try? FileHandle(forReadingFrom: u) else { throw StudyError.badInput("\(u.path): cannot open") }
        defer { try? fh.close() }
        let data: Data
        do {
            try fh.seek(toOffset: UInt64(offset))
            data = try fh.read(upToCount: bytes) ?? Data()
        } catch { throw StudyError.badInput("\(u.path): \(error)") }
        guard data.count == bytes else {
            throw StudyError.badInput("\(u.path): truncated (step \(step) needs \(bytes) bytes, found \(data.count); hint: was the run interrupted?)")
        }
        return data.withUnsafeBytes { raw -> [Float] in
            if h.dtype == .float16 { return NpyArray.floatsFromFloat16(raw, count: count) }
            return Array(raw.bindMemory(to: Float.self).prefix(count))
        }
    }

    /// The run's generated image of `id` (images/<id>.png), if present.
    public func imageURL(_ id: String) -> URL? {
        let u = folder.appendingPathComponent("images").appendingPathComponent(id + ".png")
        return FileManager.default.fileExists(atPath: u.path) ? u : nil
    }
}
