// PluginHost — a word-map plugin with its validated parameters (wordmap.h).
//
//     let daam = try registry.wordMap(spec: "daam:heads=0,1")
//     let wm = try daam.instantiate()
//     try wm.begin(WordMapImage(latentHeight: 64, latentWidth: 64, tokenCount: 77, promptTokens: n, words: spans))
//     try wm.add(layer: "up_blocks.1.attentions.0.transformer_blocks.0.attn2.probs", call: k, probabilities: p,
//                heads: 8, positions: 256)
//     let maps = try wm.finish(height: 512, width: 512)    // [words, 512, 512]
import PluginABI

public final class WordMapPlugin: @unchecked Sendable {
    public let info: PluginInfo
    public let parameters: BoundParameters
    let vtable: UnsafePointer<ldmp_wordmap_vtable>

    init(info: PluginInfo, parameters: BoundParameters) {
        self.info = info
        self.parameters = parameters
        vtable = info.vtable.assumingMemoryBound(to: ldmp_wordmap_vtable.self)
    }

    public var name: String { info.name }

    public func instantiate() throws -> WordMapInstance {
        let create = vtable.pointee.create!
        let out = try HostServices.instance(info.name) { out in
            parameters.withCValues { values, count in create(info.host, values, count, &out) }
        }
        return WordMapInstance(plugin: self, handle: out)
    }
}
