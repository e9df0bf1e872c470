// ByteLevelEncoding: GPT-2's reversible byte → printable-character map (bytes_to_unicode). BPE operates on these
// characters so every UTF-8 byte has a symbol and nothing is ever unknown.

enum ByteLevelEncoding {
    /// The character each byte 0…255 stands for: printable Latin-1 bytes are themselves, the rest map to
    /// U+0100 onwards in byte order.
    static let table: [String] = {
        var printable = Set<Int>()
        for r in [33...126, 161...172, 174...255] { printable.formUnion(r) }
        var out = [String](repeating: "", count: 256)
        var next = 256
        for b in 0..<256 {
            if printable.contains(b) {
                out[b] = String(Unicode.Scalar(UInt8(b)))
            } else {
                out[b] = String(Unicode.Scalar(UInt32(next))!)
                next += 1
            }
        }
        return out
    }()
}
