// Writes one image's word maps (the `wordmaps` command):
//   <out>/<id>/image.png                the generated image
//   <out>/<id>/tokens.npy               float32 [T, h, w]: the plugin's map of each token 0 ..< n + 2 alone at the latent
//                                       size (daam: min-max normalised unless absolute=true)
//   <out>/<id>/<word>.npy               float32 [H, W]: the word's map at the image size (daam: min-max normalised)
//   <out>/<id>/<word>.png               that map over the image (jet-like colours, 50 % blend)
//   <out>/words.csv                     id, word, positions (1 = first prompt token), tokens, mask share (> the plugin's mask threshold)
import FileFormats
import Foundation
import Pipeline

public final class WordMapWriter {
    let out: URL
    /// Words to write: nil writes every word of each prompt.
    let words: [String]?
    private(set) var rows: [[String]] = []
    /// Words asked for that a prompt does not hold, as "id: word" (reported, not fatal).
    public private(set) var missing: [String] = []

    public init(out: URL, words: [String]?) {
        self.out = out
        self.words = words
    }

    /// The spans to begin an image with: the chosen words (every word of the prompt without `words`), then each
    /// token 0 ..< n + 2 alone (for tokens.npy). A chosen word the prompt lacks is recorded in `missing`.
    public func spans(_ job: ImageJob, _ w: PromptWords) -> [(text: String, positions: [Int])] {
        var chosen: [(text: String, positions: [Int])] = []
        if let words {
            for word in words {
                if let p = w.positions(of: word) { chosen.append((word, p)) } else { missing.append("\(job.id): \(word)") }
            }
        } else {
            chosen = w.words
        }
        return chosen + (0 ..< w.ids.count + 2).map { (text: "", positions: [$0]) }
    }

    public func write(_ r: WordMapCollector.Result) throws {
        guard let wm = r.total else { return }
        let folder = out.appendingPathComponent(r.job.id)
        try AtomicFile.createFolder(folder)
        try r.image.write(to: folder.appendingPathComponent("image.png"))
        let tokens = r.words.ids.count + 2, named = r.spans.count - tokens
        let (lh, lw) = (r.latentHeight, r.latentWidth), n = lh * lw
        let small = try wm.finish(height: lh, width: lw)                        // [spans, lh, lw]
        try NpyArray(float32: Array(small[named * n ..< (named + tokens) * n]), shape: [tokens, lh, lw])
            .write(to: folder.appendingPathComponent("tokens.npy"))
        let (ih, iw) = (r.image.height, r.image.width), big = ih * iw
        let maps = try wm.finish(height: ih, width: iw)                         // [spans, ih, iw]
        let threshold = Float(wm.maskThreshold)
        for (k, word) in r.spans.prefix(named).enumerated() {
            let map = Array(maps[k * big ..< (k + 1) * big])
            let name = Self.fileName(word.text, index: k)
            try NpyArray(float32: map, shape: [ih, iw]).write(to: folder.appendingPathComponent(name + ".npy"))
            try Self.overlay(map, on: r.image).write(to: folder.appendingPathComponent(name + ".png"))
            let share = Double(map.filter { $0 > threshold }.count) / Double(max(map.count, 1))
            rows.append([r.job.id, word.text, word.positions.map(String.init).joined(separator: " "),
                         word.positions.map { r.words.strings[$0 - 1] }.joined(separator: " "), String(share)])
        }
        try CSVWriter.write(header: ["id", "word", "positions", "tokens", "mask_share"], rows: rows,
                            to: out.appendingPathComponent("words.csv"))
    }

    /// A file name for a word: letters and digits kept, anything else `_`; the word's index keeps names unique.
    static func fileName(_ word: String, index: Int) -> String {
        let clean = String(word.map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(40))
        return String(format: "word%02d_", index) + (clean.isEmpty ? "token" : clean)
    }

    /// The map (clamped to [0, 1]) in jet-like colours blended 50/50 over the RGB image.
    static func overlay(_ map: [Float], on image: PNGImage) -> PNGImage {
        let n = image.width * image.height, c = image.channels
        var bytes = [UInt8](repeating: 0, count: n * 3)
        for i in 0 ..< n {
            let t = max(0, min(1, map[i].isFinite ? map[i] : 0))
            // jet: blue → cyan → yellow → red.
            let r = max(0, min(1, 1.5 - abs(4 * t - 3))), g = max(0, min(1, 1.5 - abs(4 * t - 2)))
            let b = max(0, min(1, 1.5 - abs(4 * t - 1)))
            for (j, v) in [r, g, b].enumerated() {
                let base = Float(image.bytes[i * c + min(j, c - 1)])
                bytes[i * 3 + j] = UInt8((0.5 * base + 0.5 * 255 * v).rounded())
            }
        }
        return PNGImage(width: image.width, height: image.height, channels: 3, bytes: bytes)
    }
}
