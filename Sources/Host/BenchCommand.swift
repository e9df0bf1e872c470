// `ldmprobe bench`: time the model runtime on full-size SD v1.4 models built from random weights in memory
// (no download needed), one JSON line per run; bench/compare.sh runs the peers (PyTorch, ONNX Runtime, OpenVINO).
import ArgumentParser
import Foundation
import Models
import Tensor
import Weights

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the UNet, VAE decoder, text encoder or VGG-16 (random weights, float32, CPU); prints one JSON line.",
        subcommands: [BenchUNet.self, BenchVAEDecode.self, BenchTextEncoder.self, BenchVGG16.self, BenchStudy.self])
}

/// Options every benchmark shares.
struct BenchOptions: ParsableArguments {
    @Option(help: "Timed calls (after one untimed warm-up call unless --no-warmup).")
    var `repeat`: Int = 3

    @Flag(help: "Do not run an untimed warm-up call first.")
    var noWarmup = false

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
    }
}

/// Times `body` (warm-up first unless disabled) and prints one JSON line with the median, the peak RSS and the
/// context switches. `profiled`, called after the timed calls when LDMPROBE_PROFILE=1 with their count, adds fields.
func runBench(_ name: String, _ options: BenchOptions, extra: [String: Any], buildSeconds: Double,
              profiled: ((Int) -> [String: Any])? = nil, _ body: () throws -> Void) throws {
    if !options.noWarmup {
        FileHandle.standardError.write("\(name): warm-up call\n".data(using: .utf8)!)
        try body()
    }
    Profiler.reset()
    var before = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &before)
    var times: [Double] = [], cpus: [Double] = []
    for i in 0..<options.repeat {
        let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Profiler.cpuSeconds()
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        cpus.append(Profiler.cpuSeconds() - c0)
        FileHandle.standardError.write(String(format: "\(name): call %d/%d %.2f s\n", i + 1, options.repeat,
                                              times.last!).data(using: .utf8)!)
    }
    if Profiler.enabled {
        FileHandle.standardError.write("\(name): per-op wall time (LDMPROBE_PROFILE=1), mean over \(options.repeat) call(s)\n"
            .data(using: .utf8)!)
        FileHandle.standardError.write(Profiler.report(runs: options.repeat).data(using: .utf8)!)
    }
    let profileFields = Profiler.enabled ? profiled?(options.repeat) ?? [:] : [:]
    func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    let sorted = times.sorted()
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    var load = [Double](repeating: 0, count: 3)
    _ = getloadavg(&load, 3)
    var json: [String: Any] = [
        "engine": "ldmprobe", "model": name, "repeat": options.repeat, "median_s": median(times), "min_s": sorted[0],
        "cpu_s": median(cpus),
        "times_s": times, "peak_rss_bytes": Int(usage.ru_maxrss) * 1024, "build_s": buildSeconds,
        "threads": Compute.cores, "load_avg_1m": load[0],
        // Context switches: totals, and per timed call (involuntary: preempted, e.g. more runnable threads than cores).
        "nvcsw": Int(usage.ru_nvcsw), "nivcsw": Int(usage.ru_nivcsw),
        "nivcsw_per_call": Double(usage.ru_nivcsw - before.ru_nivcsw) / Double(options.repeat),
        "nvcsw_per_call": Double(usage.ru_nvcsw - before.ru_nvcsw) / Double(options.repeat),
        // Page faults per timed call: what a smaller heap costs (freed buffers mapped afresh on the next call).
        "minflt_per_call": Double(usage.ru_minflt - before.ru_minflt) / Double(options.repeat),
    ]
    for (k, v) in ProcessMemory.status() { json[k] = v }
    for (k, v) in ProcessMemory.heap() { json[k] = v }
    json["widening_scratch_bytes"] = Parameter.wideningScratchBytes
    for (k, v) in extra.merging(profileFields, uniquingKeysWith: { $1 }) { json[k] = v }
    let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func seconds(since t0: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }

/// A deterministic pseudo-random tensor (benchmark inputs).
func benchInput(_ shape: [Int], seed: UInt64) -> Tensor {
    var s = seed
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, data: (0..<n).map { _ in
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return Float(s >> 40) / Float(1 << 24) * 2 - 1
    })
}

struct BenchUNet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet",
        abstract: "One UNet call (ε̂ for a CFG batch) on the full SD v1.4 UNet (860M parameters, random weights).")

    @Option(help: "\"sd-v1.4\" or the path of a unet/config.json.")
    var config: String = "sd-v1.4"

    @Option(help: "Latent height and width (32 = 256×256 images, 64 = 512×512).")
    var latent: Int = 32

    @Option(help: "Batch size (2 = unconditional + conditional).")
    var batch: Int = 2

    @Option(help: "Capture every self-attention output (attn1) through a tap, as `generate` does.")
    var tapAttn1 = false

    @Option(help: "Conv/linear weights in memory: f32, or f16 (rounded at build, widened per use: half residency).")
    var weightsDtype = "f32"

    @Flag(help: "Print the analytic FLOPs of one call per op kind as one JSON line and exit (no model is built).")
    var countFlops = false

    @Option(help: ArgumentHelp("Write the random weights to a temporary .safetensors file in this dtype (f16 or "
                               + "f32) and load the UNet from it, as a model folder loads (RSS of the load path).",
                               valueName: "dtype"))
    var weightsFile: String?

    @OptionGroup var options: BenchOptions

    func validate() throws {
        guard latent >= 1, batch >= 1 else { throw ValidationError("--latent and --batch must be at least 1") }
    }

    func run() throws {
        let cfg = config == "sd-v1.4" ? UNetConfig.sdV14 : try UNetConfig.load(URL(fileURLWithPath: config))
        let flops = UNetFLOPs(config: cfg, latentHeight: latent, latentWidth: latent, batch: batch)
        if countFlops {
            let line: [String: Any] = ["model": "unet", "config": config, "latent": latent, "batch": batch,
                                       "gflop": flops.total / 1e9, "gflop_by_kind": flops.byKind.mapValues { $0 / 1e9 }]
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        guard ["f32", "f16"].contains(weightsDtype) else {
            throw ValidationError("--weights-dtype \(weightsDtype): use f32 or f16")
        }
        if let weightsFile, !["f32", "f16"].contains(weightsFile) {
            throw ValidationError("--weights-file \(weightsFile): use f16 or f32")
        }
        let residency: WeightResidency = weightsDtype == "f16" ? .f16 : .f32
        let unet = try weightsFile.map { try Self.viaFile(cfg, float32: $0 == "f32", residency: residency) }
            ?? UNet2DConditionModel(config: cfg, weights: RandomWeights(seed: 1), residency: residency)
        // The load's temporaries (float32 copies narrowed to half) leave free pages inside the heap.
        ProcessHeap.trim()
        let build = seconds(since: t0)
        let afterBuild = ProcessMemory.status()
        let hwmBuild = afterBuild["vm_hwm_bytes"] ?? 0, rssBuild = afterBuild["vm_rss_bytes"] ?? 0
        if tapAttn1 { unet.attach(CopyingTap()) }
        let x = benchInput([batch, cfg.inChannels, latent, latent], seed: 2)
        let c = benchInput([batch, 77, cfg.crossAttentionDim], seed: 3)
        let extra: [String: Any] = ["config": config, "latent": latent, "batch": batch, "tap_attn1": tapAttn1,
                                    "gflop": flops.total / 1e9, "weights_dtype": weightsDtype,
                                    "weights_file": weightsFile ?? "none", "rss_after_build_bytes": rssBuild,
                                    "vm_hwm_build_bytes": hwmBuild]
        try runBench("unet", options, extra: extra, buildSeconds: build, profiled: { runs in
            let profile = Profiler.snapshot().map { ($0.kind, $0.seconds, $0.cpu) }
            let table = OpRateTable(flops: flops, profile: profile, runs: runs)
            FileHandle.standardError.write(Data(("unet: GFLOP/s per op kind (analytic FLOPs ÷ LDMPROBE_PROFILE wall "
                + "time), mean over \(runs) call(s)\n" + table.markdown()).utf8))
            return ["op_gflops": table.json]
        }) {
            _ = try unet(x, timesteps: [501], encoderHiddenStates: c)
        }
    }
}

extension BenchUNet {
    /// The random UNet streamed to a temporary .safetensors file (F16 or F32), then loaded from it.
    static func viaFile(_ cfg: UNetConfig, float32: Bool, residency: WeightResidency) throws -> UNet2DConditionModel {
        let url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("ldmprobe-bench-unet-\(ProcessInfo.processInfo.processIdentifier).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let shapes = RandomWeights(seed: 1)
        _ = try UNet2DConditionModel(config: cfg, weights: shapes, residency: .f16)  // records the keys and shapes
        ProcessHeap.trim()
        try RandomModelFolder.stream(shapes, to: url, float32: float32) {
            FileHandle.standardError.write(Data("unet: \($0)\n".utf8))
        }
        ProcessMemory.resetPeak()  // vm_hwm_bytes: the load from the file and the calls, not the shapes pass
        let file = try SafetensorsFile(path: url.path)
        // .f32 residency widens an F16 file at load; .f16 keeps it half (auto would do the same for F16).
        let fromFile: WeightResidency = float32 ? residency : (residency == .f32 ? .f32 : .auto)
        return try UNet2DConditionModel(config: cfg, weights: file, residency: fromFile)
    }
}

/// Copies every self-attention output, as a capture would.
final class CopyingTap: ActivationTap {
    var kept: [String: Tensor] = [:]
    func wants(_ path: String) -> Bool { path.hasSuffix(".attn1") }
    func visit(_ path: String, _ activation: inout Tensor) { kept[path] = Tensor(shape: activation.shape, data: Array(activation.data)) }
}

struct BenchVAEDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae-decode", abstract: "One VAE decode on the full SD v1.4 VAE decoder (random weights).")

    @Option(help: "Image size in pixels (latent = size / 8).")
    var size: Int = 512

    @Option(help: "Batch size.")
    var batch: Int = 1

    @OptionGroup var options: BenchOptions

    func run() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let vae = try AutoencoderKL(config: .sdV14, weights: RandomWeights(seed: 1), decoderOnly: true)
        let build = seconds(since: t0)
        let z = benchInput([batch, 4, size / 8, size / 8], seed: 2)
        try runBench("vae-decode", options, extra: ["size": size, "batch": batch], buildSeconds: build) {
            _ = try vae.decode(z)
        }
    }
}

struct BenchTextEncoder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-encoder", abstract: "One CLIP text encoder call (SD v1.4's ViT-L/14 text model, random weights).")

    @Option(help: "Batch size (prompts of 77 tokens).")
    var batch: Int = 2

    @OptionGroup var options: BenchOptions

    func run() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let model = try CLIPTextModel(config: CLIPTextConfig(), weights: RandomWeights(seed: 1))
        let build = seconds(since: t0)
        let ids = (0..<batch).map { b in [49406] + (0..<75).map { (b * 75 + $0 * 7) % 49406 } + [49407] }
        try runBench("text-encoder", options, extra: ["batch": batch], buildSeconds: build) {
            _ = try model(ids)
        }
    }
}
