// `ldmprobe bench study`: the cost of one image of the streamed probing study at full size, for sizing a cluster
// run (docs/slurm/README.md). It writes a random-weight model folder (RandomModelFolder) and runs the real
// `ldmprobe pipeline` on it as a child process — generate, three world labelers streaming into lstsq probes over
// every self-attention layer, VGG-16 (random weights) on each step's x_t — and reports the child's wall time, peak
// RSS and the bytes it wrote: one JSON line and one human line on stdout.
//
//     ldmprobe bench study --config sd-v1.4 --images 2       # 512×512, 15 steps (~10 min per image on 2 cores)
//     ldmprobe bench study --config tiny                     # the demo model's shapes, 64×64: seconds
import ArgumentParser
import Foundation
import Tensor
import World

struct BenchStudy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "The streamed study's per-image cost (random weights): seconds, peak RSS, bytes written.",
        discussion: """
            Runs `ldmprobe pipeline` on a random-weight model written to a temporary folder: --images images \
            (world captions; half train, half test), lms, every self-attention layer captured, labels \
            foreground/depth/shading (world labelers) into linear:fit=lstsq probes, classifier vgg16 with random \
            weights on each step's x_t, no permuted control, streamed (--memory-limit 64, as a `study` map task \
            runs). sd-v1.4: SD v1.4's shapes, 512×512, 15 steps, \
            full VGG-16; tiny: the demo model's shapes, 64×64, VGG-16 with widths / 16. Seconds include one \
            model load (shared by the images). The temporary folder (about 2.1 GB for sd-v1.4) is removed.
            """)

    @Option(help: "sd-v1.4 or tiny.")
    var config = "sd-v1.4"

    @Option(help: "Images to generate and study (at least 2: one train, one test).")
    var images = 2

    @Option(help: "Inference steps (default 15).")
    var steps = 15

    @Option(help: "Image height and width in pixels (default: 512 for sd-v1.4, 64 for tiny).")
    var size: Int?

    @Option(help: ArgumentHelp("Folder for the temporary model and run (default: the system temp folder).",
                               valueName: "dir"))
    var work: String?

    func validate() throws {
        guard ["sd-v1.4", "tiny"].contains(config) else { throw ValidationError("--config \(config): use sd-v1.4 or tiny") }
        guard images >= 2 else { throw ValidationError("--images must be at least 2 (one train, one test image)") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        if let size, size <= 0 || size % 8 != 0 { throw ValidationError("--size must be a positive multiple of 8") }
    }

    func run() throws {
        let say: (String) -> Void = { FileHandle.standardError.write(Data("bench study: \($0)\n".utf8)) }
        let exe = Bundle.main.executablePath ?? CommandLine.arguments[0]
        guard let demo = DemoAssets.folder(from: exe, containing: "model/model_index.json") else {
            throw ValidationError("bench study: no Assets/demo/model above \(exe) (its tokenizer and schedule are "
                                  + "needed; set \(DemoAssets.environmentVariable) to the demo folder)")
        }
        let assets = URL(fileURLWithPath: demo).appendingPathComponent("model")
        let base = URL(fileURLWithPath: work ?? NSTemporaryDirectory())
            .appendingPathComponent("ldmprobe-bench-study-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }

        let t0 = Date()
        let shapes = config == "tiny"
            ? RandomModelFolder(unet: try .load(assets.appendingPathComponent("unet/config.json")),
                                vae: try .load(assets.appendingPathComponent("vae/config.json")),
                                text: try .load(assets.appendingPathComponent("text_encoder/config.json")))
            : RandomModelFolder(unet: .sdV14, vae: .sdV14, text: .init())
        say("writing a random-weight \(config) model to \(base.path)")
        let model = base.appendingPathComponent("model")
        try shapes.write(to: model, assets: assets, seed: 1, log: say)
        let writeSeconds = Date().timeIntervalSince(t0)
        let prompts = base.appendingPathComponent("prompts.csv")
        try DemoPreset.writeWorldPrompts(count: images, baseSeed: 2, to: prompts)

        let side = size ?? (config == "tiny" ? 64 : 512)
        let out = base.appendingPathComponent("out")
        let arguments = ["pipeline", "--model", model.path, "--prompts", prompts.path, "--sampler", "lms",
                         "--steps", String(steps), "--height", String(side), "--width", String(side),
                         "--capture", "*attn1", "--label", "foreground=world-foreground", "--label", "depth=world-depth",
                         "--label", "shading=world-shading", "--probe", "linear:fit=lstsq", "--split", "fraction:0.5:0",
                         // --memory-limit: the streamed path whatever the statistics' size (SD v1.4: 4.2 GiB at 15
                         // steps, over pipeline's default 4), as every `study` map task runs
                         "--classifier", config == "tiny" ? "vgg16:weights=random:0/16" : "vgg16:weights=random:0",
                         "--target", "lemon", "--control", "none", "--memory-limit", "64", "--out", out.path]
        say("running ldmprobe " + arguments.joined(separator: " "))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: exe)
        child.arguments = arguments
        child.standardOutput = FileHandle.standardError  // stdout stays the two result lines
        let t1 = Date()
        try child.run()
        child.waitUntilExit()
        let wall = Date().timeIntervalSince(t1)
        guard child.terminationReason == .exit, child.terminationStatus == 0 else {
            throw ValidationError("bench study: `ldmprobe pipeline` failed (status \(child.terminationStatus)); "
                                  + "its messages are above")
        }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)  // ru_maxrss of the largest child: the pipeline
        let peak = Int(usage.ru_maxrss) * 1024
        let written = Self.bytes(under: out)
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        let json: [String: Any] = [
            "engine": "ldmprobe", "benchmark": "study", "config": config, "images": images, "steps": steps,
            "height": side, "width": side, "sampler": "lms", "properties": 3, "probe": "linear:fit=lstsq",
            "classifier": "vgg16", "seconds": wall, "seconds_per_image": wall / Double(images),
            "cpu_seconds": Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            "peak_rss_bytes": peak, "bytes_written": written, "bytes_written_per_image": written / images,
            "model_write_s": writeSeconds, "threads": Compute.cores, "load_avg_1m": load[0],
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        print(String(format: "study %@: %d images %d×%d, %d steps: %.1f s (%.1f s per image, one model load included), "
                     + "peak RSS %.2f GB, %.2f MB written per image", config, images, side, side, steps, wall,
                     wall / Double(images), Double(peak) / 1e9, Double(written) / Double(images) / 1e6))
    }

    /// Bytes of the regular files under `url`.
    static func bytes(under url: URL) -> Int {
        guard let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey])
        else { return 0 }
        var total = 0
        for case let f as URL in e {
            let v = try? f.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            if v?.isRegularFile == true { total += v?.fileSize ?? 0 }
        }
        return total
    }
}
