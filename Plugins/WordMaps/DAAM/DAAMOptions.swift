// The `daam` plugin's parameters as WordMapOptions: each of DAAM's choices is one parameter, DAAM's value the
// default (WordMapOptions documents them).
import PluginABI
import PluginKit
import WordMapCore

enum DAAMOptions {
    static let params: [ParamSpec] = [
        .string("layers", default: "",
                help: "globs (separated by ; or \\,) over `…attn2.probs` capture paths; \"\" = every layer but mid_block (DAAM)"),
        .string("heads", default: "", help: "head indices and ranges A-B (separated by ; or \\,); \"\" = every head (DAAM)"),
        .string("steps", default: "",
                help: "UNet calls (0 = first): indices and ranges A-B (separated by ; or \\,); \"\" = every call (DAAM)"),
        .string("upsample", default: "",
                help: "size each layer's map is upsampled to (bicubic) before averaging, N or HxW; \"\" = the latent "
                    + "size (DAAM: 64 at 512 px)"),
        .bool("normalize", default: false,
              help: "divide each token's map by the sum over the prompt's word tokens (DAAM's normalize)"),
        .bool("absolute", default: false,
              help: "keep the maps' values at the output size; false = min-max normalise each word's map (DAAM)"),
        .float("threshold", default: 0.4, help: "mask threshold on the maps (DAAM's τ = 0.4)"),
    ]

    static func parse(_ p: ParamValues) throws -> WordMapOptions {
        var o = WordMapOptions()
        let layers = try p.string("layers").split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.filter { !$0.isWhitespace } }
            .filter { !$0.isEmpty }
        o.layers = layers.isEmpty ? nil : layers
        o.heads = try indices(p.string("heads"), "heads")
        o.steps = try indices(p.string("steps"), "steps")
        let size = try p.string("upsample")
        if !size.isEmpty {
            let parts = size.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 1 || parts.count == 2, let h = parts.first ?? nil, let w = parts.last ?? nil,
                  (1...4096).contains(h), (1...4096).contains(w) else {
                throw PluginKitError.invalidArgument("daam: upsample='\(size.prefix(40))': give N or HxW with sizes "
                                                     + "1…4096 (hint: upsample=64)")
            }
            (o.upsampleHeight, o.upsampleWidth) = (h, w)
        }
        o.normalizeOverWords = try p.bool("normalize")
        o.minMax = try !p.bool("absolute")
        let t = try p.double("threshold")
        guard t.isFinite else { throw PluginKitError.invalidArgument("daam: threshold=\(t): give a finite number (e.g. 0.4)") }
        o.threshold = Float(t)
        return o
    }

    /// "" → nil (all); else indices and ranges A-B, each in 0…100000.
    static func indices(_ text: String, _ name: String) throws -> [Int]? {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.filter { !$0.isWhitespace } }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        var out = Set<Int>()
        for part in parts {
            let b = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            if b.count == 1, let a = b[0], (0...100_000).contains(a) {
                out.insert(a)
            } else if b.count == 2, let a = b[0], let c = b[1], a >= 0, a <= c, c <= 100_000 {
                out.formUnion(a...c)
            } else {
                throw PluginKitError.invalidArgument("daam: \(name)='\(text.prefix(60))': '\(part.prefix(40))' is no "
                    + "index or range A-B in 0…100000 (hint: e.g. \(name)=0;2-5)")
            }
        }
        return out.sorted()
    }
}
