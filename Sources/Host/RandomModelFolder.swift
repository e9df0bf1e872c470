// `bench study`'s model: a diffusers folder (unet/, vae/, text_encoder/ as .fp16.safetensors, tokenizer/,
// scheduler/) with random weights at a given configuration, so the whole study runs through the real loader
// without downloading SD v1.4. Shapes come from building each network once on RandomWeights (which records every
// key it is asked for); each tensor is then drawn again and streamed to disk in float16 (2 bytes per weight:
// about 2.1 GB for SD v1.4), so no whole file is ever held in memory.
import FileFormats
import ArgumentParser
import Foundation
import Models

struct RandomModelFolder {
    let unet: UNetConfig
    let vae: VAEConfig
    let text: CLIPTextConfig

    /// Writes the folder; `assets` is a model folder whose tokenizer/, scheduler/ and model_index.json are copied
    /// (the demo model's: the full CLIP vocabulary and SD v1's PNDM schedule).
    func write(to root: URL, assets: URL, seed: UInt64, log: (String) -> Void) throws {
        let fm = FileManager.default
        for part in ["tokenizer", "scheduler", "unet", "vae", "text_encoder"] {
            try fm.createDirectory(at: root.appendingPathComponent(part), withIntermediateDirectories: true)
        }
        for file in ["model_index.json", "tokenizer/vocab.json", "tokenizer/merges.txt",
                     "scheduler/scheduler_config.json"] {
            try fm.copyItem(at: assets.appendingPathComponent(file), to: root.appendingPathComponent(file))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(unet).write(to: root.appendingPathComponent("unet/config.json"))
        try encoder.encode(vae).write(to: root.appendingPathComponent("vae/config.json"))
        try encoder.encode(text).write(to: root.appendingPathComponent("text_encoder/config.json"))

        // One network at a time, so at most one float32 copy of the largest (the UNet) is alive.
        var shapes = RandomWeights(seed: seed)
        _ = try UNet2DConditionModel(config: unet, weights: shapes)
        try Self.stream(shapes, to: root.appendingPathComponent("unet/diffusion_pytorch_model.fp16.safetensors"), log: log)
        shapes = RandomWeights(seed: seed &+ 1)
        _ = try AutoencoderKL(config: vae, weights: shapes, decoderOnly: true)
        try Self.stream(shapes, to: root.appendingPathComponent("vae/diffusion_pytorch_model.fp16.safetensors"), log: log)
        shapes = RandomWeights(seed: seed &+ 2)
        _ = try CLIPTextModel(config: text, weights: shapes)
        try Self.stream(shapes, to: root.appendingPathComponent("text_encoder/model.fp16.safetensors"), log: log)
    }

    /// Every key of `source` (sorted) as F16 (F32 with `float32`), streamed: header first, then one tensor at a time.
    static func stream(_ source: RandomWeights, to url: URL, float32: Bool = false, log: (String) -> Void) throws {
        let width = float32 ? 4 : 2
        let keys = source.keys.sorted()
        var entries: [String] = [], offset = 0
        for key in keys {
            let shape = source.shape(key) ?? []
            let end = offset + shape.reduce(1, *) * width
            entries.append("\(JSONText.quoted(key)):{\"dtype\":\"\(float32 ? "F32" : "F16")\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],"
                + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // data 8-byte aligned
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let out = FileHandle(forWritingAtPath: url.path) else {
            throw ValidationError("\(url.path): cannot create (hint: is the temp folder writable and not full?)")
        }
        defer { try? out.close() }
        var length = UInt64(header.count).littleEndian
        try out.write(contentsOf: Data(bytes: &length, count: 8) + Data(header))
        for key in keys {
            let t = try source.tensor(key)
            if float32 {
                try t.data.map { $0.bitPattern.littleEndian }.withUnsafeBytes { try out.write(contentsOf: Data($0)) }
            } else {
                let half = t.data.map { Float16($0).bitPattern.littleEndian }
                try half.withUnsafeBytes { try out.write(contentsOf: Data($0)) }
            }
        }
        log(String(format: "wrote %@ (%.2f GB)", url.lastPathComponent, Double(8 + header.count + offset) / 1e9))
    }
}
