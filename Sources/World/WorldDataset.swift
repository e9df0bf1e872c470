// World: renders N scenes into a dataset folder in the layout the rest of ldmprobe reads:
//   images/<id>.png                    RGB, 8-bit
//   labels/foreground/<id>.png         8-bit mask, 255 = object (TRACER's convention: foreground = value > 0)
//   labels/depth/<id>.npy              float32 [H, W] inverse depth 1/z, sky 0 (MiDaS's convention)
//   labels/distance/<id>.npy           float32 [H, W] camera-space depth z, sky +inf
//   labels/shading/<id>.npy            float32 [H, W] shading in [0, 1] (not inverse shading)
//   labels/albedo/<id>.png             RGB, 8-bit
//   prompts.csv                        prompts,seeds,prompt_inds (the study's CSV); <id> = prompt_<ind>_seed_<seed>
//   scenes.csv                         id,subject,objects (class names left to right), for the classifier
import Foundation
import FileFormats

/// Writes a rendered dataset.
public struct WorldDataset {
    public var sampler = SceneSampler()
    public var renderer = Renderer()

    public init(samples: Int = 2) { renderer = Renderer(samples: samples) }

    /// The image id the study uses for a prompt index and seed.
    public static func imageID(index: Int, seed: UInt64) -> String { "prompt_\(index)_seed_\(seed)" }

    /// The scenes of a dataset: index i has seed SceneRandom.sceneSeed(base:index:).
    /// Largest scene index accepted (indices become prompt_inds and ids; their sum with count must not overflow).
    public static let maxIndex = 1 << 40

    /// Throws unless `count` scenes from `firstIndex` on can be numbered (for `world render` and `world caption`).
    public static func checkRange(count: Int, firstIndex: Int) throws {
        guard (1...10_000_000).contains(count) else {
            throw WorldError.invalidArgument("--count \(count) must be in 1…10000000")
        }
        guard (0...maxIndex).contains(firstIndex) else {
            throw WorldError.invalidArgument("--first-index \(firstIndex) must be in 0…\(maxIndex)")
        }
    }

    public func scenes(count: Int, baseSeed: UInt64, firstIndex: Int = 0) -> [Scene] {
        // Out-of-range arguments give no scenes rather than a trap; `write` reports them as an error.
        guard count > 0, (0...Self.maxIndex).contains(firstIndex), count <= Self.maxIndex else { return [] }
        return (firstIndex..<(firstIndex + count)).map { sampler.scene(seed: SceneRandom.sceneSeed(base: baseSeed, index: $0)) }
    }

    /// Renders `count` scenes of size×size into `folder`; progress to stderr.
    public func write(count: Int, size: Int, baseSeed: UInt64, firstIndex: Int = 0, to folder: URL,
                      progress: Bool = true) throws {
        guard (8...4096).contains(size) else { throw WorldError.invalidArgument("--size \(size) must be in 8…4096") }
        try Self.checkRange(count: count, firstIndex: firstIndex)
        let dirs = ["images", "labels/foreground", "labels/depth", "labels/distance", "labels/shading", "labels/albedo"]
        for d in dirs { try AtomicFile.createFolder(folder.appendingPathComponent(d)) }
        var csv = "prompts,seeds,prompt_inds\n"
        var sceneRows = "id,subject,objects,caption\n"
        let start = Date()
        for (k, scene) in scenes(count: count, baseSeed: baseSeed, firstIndex: firstIndex).enumerated() {
            let index = firstIndex + k
            let id = Self.imageID(index: index, seed: scene.seed)
            let r = renderer.render(scene, width: size, height: size)
            try write(r, id: id, to: folder)
            csv += "\(CSVWriter.field(scene.caption)),\(scene.seed),\(index)\n"
            sceneRows += "\(id),\(scene.subject.name),\(scene.objects.map { $0.kind.name }.joined(separator: " ")),"
                + "\(CSVWriter.field(scene.caption))\n"
            if progress && ((k + 1) % 500 == 0 || k + 1 == count) {
                let dt = Date().timeIntervalSince(start)
                let eta = dt / Double(k + 1) * Double(count - k - 1)
                FileHandle.standardError.write("world: scene \(k + 1)/\(count), \(String(format: "%.1f", dt)) s, ETA \(String(format: "%.1f", eta)) s\n".data(using: .utf8)!)
            }
        }
        try AtomicFile.write(csv, to: folder.appendingPathComponent("prompts.csv"))
        try AtomicFile.write(sceneRows, to: folder.appendingPathComponent("scenes.csv"))
    }

    /// Writes one scene's image and labels.
    public func write(_ r: RenderedScene, id: String, to folder: URL) throws {
        let h = r.height, w = r.width
        try PNGImage(width: w, height: h, channels: 3, bytes: r.rgbBytes)
            .write(to: folder.appendingPathComponent("images/\(id).png"))
        try PNGImage(width: w, height: h, channels: 1, bytes: r.foregroundBytes)
            .write(to: folder.appendingPathComponent("labels/foreground/\(id).png"))
        try NpyArray(float32: r.inverseDepth, shape: [h, w])
            .write(to: folder.appendingPathComponent("labels/depth/\(id).npy"))
        try NpyArray(float32: r.depth, shape: [h, w])
            .write(to: folder.appendingPathComponent("labels/distance/\(id).npy"))
        try NpyArray(float32: r.shading, shape: [h, w])
            .write(to: folder.appendingPathComponent("labels/shading/\(id).npy"))
        try PNGImage(width: w, height: h, channels: 3, bytes: r.albedoBytes)
            .write(to: folder.appendingPathComponent("labels/albedo/\(id).png"))
    }
}
