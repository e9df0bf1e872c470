// PluginHost — one word-map instance (wordmap.h): begin an image, add its cross-attention captures, finish.
import PluginABI

/// One word-map instance. Use from one thread at a time; distinct instances may run concurrently.
public final class WordMapInstance: @unchecked Sendable {
    public let plugin: WordMapPlugin
    let handle: OpaquePointer
    let v: ldmp_wordmap_vtable
    /// Words of the image begun last (finish writes one map per word).
    public private(set) var wordCount = 0

    init(plugin: WordMapPlugin, handle: OpaquePointer) {
        self.plugin = plugin
        self.handle = handle
        v = plugin.vtable.pointee
    }

    deinit { v.destroy!(handle) }

    private var name: String { plugin.info.name }

    public func begin(_ image: WordMapImage) throws {
        let sizes = [image.latentHeight, image.latentWidth, image.tokenCount, image.promptTokens]
        guard sizes.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }),
              image.words.allSatisfy({ $0.allSatisfy { $0 >= 0 && $0 < image.tokenCount } }) else {
            throw PluginError.invalidInput(plugin: name, function: "begin",
                                           reason: "sizes \(sizes) or a token position outside 0..<\(image.tokenCount)")
        }
        var starts: [UInt32] = [0]
        for w in image.words { starts.append(starts[starts.count - 1] + UInt32(w.count)) }
        let positions = image.words.flatMap { $0.map(UInt32.init) }
        try starts.withUnsafeBufferPointer { s in
            try positions.withUnsafeBufferPointer { p in
                var c = ldmp_wordmap_image(
                    struct_size: UInt32(MemoryLayout<ldmp_wordmap_image>.size),
                    latent_height: UInt32(image.latentHeight), latent_width: UInt32(image.latentWidth),
                    token_count: UInt32(image.tokenCount), prompt_tokens: UInt32(image.promptTokens),
                    word_count: UInt32(image.words.count), word_starts: s.baseAddress, positions: p.baseAddress)
                try HostServices.check(name, "begin") { v.begin!(handle, &c) }
            }
        }
        wordCount = image.words.count
    }

    /// probabilities F32 [heads, positions, tokenCount] of `layer` at UNet call `call` (conditional branch).
    public func add(layer: String, call: Int, probabilities: UnsafeBufferPointer<Float>, heads: Int, positions: Int,
                    tokens: Int) throws {
        let shape = [heads, positions, tokens]
        try checkCount(probabilities.count, shape, "probabilities", "add", plugin: name)
        guard call >= 0 && call <= Int(UInt32.max) else {
            throw PluginError.invalidInput(plugin: name, function: "add", reason: "call \(call) out of range")
        }
        var t = HostTensor.float(UnsafeMutablePointer(mutating: probabilities.baseAddress), shape)
        try HostServices.check(name, "add") { v.add!(handle, layer, UInt32(call), &t) }
    }

    public func add(layer: String, call: Int, probabilities: [Float], heads: Int, positions: Int,
                    tokens: Int) throws {
        try probabilities.withUnsafeBufferPointer {
            try add(layer: layer, call: call, probabilities: $0, heads: heads, positions: positions, tokens: tokens)
        }
    }

    /// The word maps F32 [wordCount, height, width].
    public func finish(height: Int, width: Int) throws -> [Float] {
        let shape = [wordCount, height, width]
        guard height > 0, width > 0 else {
            throw PluginError.invalidInput(plugin: name, function: "finish", reason: "map size \(height)×\(width)")
        }
        try checkCount(wordCount * height * width, shape, "maps", "finish", plugin: name)
        var out = [Float](repeating: 0, count: wordCount * height * width)
        try out.withUnsafeMutableBufferPointer { buf in
            var t = HostTensor.float(buf.baseAddress, shape)
            try HostServices.check(name, "finish") { v.finish!(handle, &t) }
        }
        return out
    }

    /// Above this a map's pixel is in the word's mask.
    public var maskThreshold: Double { v.mask_threshold!(handle) }
}
