// The word-map plugin `daam` (wordmap.h): DAAM's (castorini/daam) aggregation of cross-attention probabilities
// into per-word maps, each choice a parameter with DAAM's value as default (DAAMOptions).
//
//     --wordmap daam                              DAAM as published
//     --wordmap daam:heads=0-3,steps=0-9,normalize=true,upsample=32
import PluginABI
import PluginKit
import WordMapCore

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntry() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { [DAAMPlugin.descriptor] })
}

enum DAAMPlugin {
    static let descriptor = PluginDescriptor(
        kind: LDMP_KIND_WORDMAP, name: "daam", version: (1, 0, 0),
        description: "DAAM word maps: cross-attention summed over steps, bicubic-upsampled, averaged over layers and heads",
        params: DAAMOptions.params, vtable: vtable)

    /// WordMapCore's errors are the caller's input: INVALID_ARGUMENT with their one-line message.
    static func call(_ host: UnsafePointer<ldmp_host>? = nil, _ body: () throws -> Void) -> Int32 {
        PluginCall.run(host) {
            do { try body() } catch let e as WordMapError { throw PluginKitError.invalidArgument("daam: \(e)") }
        }
    }

    /// The image's words: word i is positions[word_starts[i] ..< word_starts[i + 1]] (wordmap.h).
    static func words(_ m: ldmp_wordmap_image) throws -> [[Int]] {
        let n = Int(m.word_count)
        guard n > 0 else { return [] }
        guard let starts = m.word_starts, (0..<n).allSatisfy({ starts[$0] <= starts[$0 + 1] }) else {
            throw PluginKitError.invalidArgument("daam: begin: word_starts is NULL or not ascending for \(n) words")
        }
        if starts[n] == starts[0] { return Array(repeating: [], count: n) }
        guard let positions = m.positions else {
            throw PluginKitError.invalidArgument("daam: begin: positions is NULL for \(starts[n] - starts[0]) positions")
        }
        return (0..<n).map { k in (Int(starts[k]) ..< Int(starts[k + 1])).map { Int(positions[$0]) } }
    }

    static let vtable: UnsafePointer<ldmp_wordmap_vtable> = StaticStorage.store(ldmp_wordmap_vtable(
        struct_size: StaticStorage.size(of: ldmp_wordmap_vtable.self),
        create: { host, params, count, out in
            call(host) {
                let p = ParamValues(params, count: count)
                let o = try DAAMOptions.parse(p)
                try InstanceBox.store(DAAMWordMap(options: o, threshold: try p.double("threshold")), into: out)
            }
        },
        destroy: { instance in InstanceBox.release(instance) },
        begin: { instance, image in
            call {
                let d = try InstanceBox.object(instance, as: DAAMWordMap.self)
                guard let image, image.pointee.struct_size >= UInt32(MemoryLayout<ldmp_wordmap_image>.size) else {
                    throw PluginKitError.invalidArgument("daam: begin: image is NULL or shorter than ABI 1.2's")
                }
                let m = image.pointee
                let words = try DAAMPlugin.words(m)
                try d.begin(latentHeight: Int(m.latent_height), latentWidth: Int(m.latent_width),
                            tokenCount: Int(m.token_count), promptTokens: Int(m.prompt_tokens), words: words)
            }
        },
        add: { instance, layer, callIndex, probabilities in
            call {
                let d = try InstanceBox.object(instance, as: DAAMWordMap.self)
                guard let layer else { throw PluginKitError.invalidArgument("daam: add: layer is NULL") }
                let p = try TensorView.floats(probabilities, "probabilities", shape: [nil, nil, nil])
                try d.add(layer: String(cString: layer), call: Int(callIndex), heads: p.shape[0], hw: p.shape[1],
                          tokens: p.shape[2], values: UnsafeBufferPointer(p.buffer))
            }
        },
        finish: { instance, maps in
            call {
                let d = try InstanceBox.object(instance, as: DAAMWordMap.self)
                let out = try TensorView.mutableFloats(maps, "maps", shape: [nil, nil, nil])
                guard out.shape[1] > 0, out.shape[2] > 0 else {
                    throw PluginKitError.invalidArgument("daam: finish: maps shape \(out.shape) is empty")
                }
                try d.finish(into: out.buffer, words: out.shape[0], height: out.shape[1], width: out.shape[2])
            }
        },
        mask_threshold: { instance in
            guard let d = try? InstanceBox.object(instance, as: DAAMWordMap.self) else { return 0.4 }
            return d.threshold
        }))
}
