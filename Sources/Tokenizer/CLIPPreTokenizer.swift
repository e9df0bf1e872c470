// CLIPPreTokenizer: text → the pieces BPE sees, as transformers' CLIPTokenizer (tokenizers backend) produces them:
//   1. special tokens <|startoftext|> / <|endoftext|> are cut out of the RAW text first (exact, case-sensitive);
//   2. each remaining segment is normalised: NFC, every run of whitespace → one space, lower-cased per scalar
//      (full Unicode mapping, no context: "İ" → "i̇", "Σ" → "σ" everywhere);
//   3. split with CLIP's regex, applied per Unicode scalar as Oniguruma does:
//      <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
//      whitespace between matches is dropped;
//   4. ByteLevel's GPT-2 regex (use_regex=True) re-splits each piece; that only changes the two special-token
//      alternatives (lower-cased text like "<|ENDOFTEXT|>" → "<|", "endoftext", "|>"), all other pieces survive it.
// Without ftfy (transformers 5 never uses it) mojibake and HTML entities are kept as typed.
import Foundation

enum CLIPPreTokenizer {
    /// A piece of input: text for BPE, or a special token's id.
    enum Piece: Equatable {
        case text(String)
        case special(Int)
    }

    static let specials: [(String, Int)] = [("<|startoftext|>", 49406), ("<|endoftext|>", 49407)]

    static func pieces(_ text: String, specials: [(String, Int)] = specials) -> [Piece] {
        var out: [Piece] = []
        var rest = Substring(text)
        // Each special's next occurrence, searched again only once the text has moved past it (one search per
        // occurrence, not per piece: a text of many specials stays linear).
        var found: [Range<Substring.Index>?] = specials.map { rest.range(of: $0.0) }
        while !rest.isEmpty {
            // The earliest special token in the rest of the raw text.
            var best: (Range<Substring.Index>, Int)?
            for (k, (token, id)) in specials.enumerated() {
                if let r = found[k], r.lowerBound < rest.startIndex { found[k] = rest.range(of: token) }
                if let r = found[k], best.map({ r.lowerBound < $0.0.lowerBound }) ?? true { best = (r, id) }
            }
            guard let (range, id) = best else {
                out += split(normalize(String(rest))).map { .text($0) }
                break
            }
            out += split(normalize(String(rest[..<range.lowerBound]))).map { .text($0) }
            out.append(.special(id))
            rest = rest[range.upperBound...]
        }
        return out
    }

    /// NFC, whitespace runs → " ", per-scalar full lower-casing.
    static func normalize(_ text: String) -> String {
        let nfc = text.precomposedStringWithCanonicalMapping
        // UTF-8 bytes collected in an array (appending non-ASCII scalars to a String one by one costs microseconds
        // each); scalar properties (lowercaseMapping costs tens of µs) looked up once per scalar per call, ASCII by
        // hand ([]: whitespace) — a megabyte of text takes a fraction of a second.
        var out: [UInt8] = []
        out.reserveCapacity(nfc.utf8.count)
        var inSpace = false
        var lowered: [Unicode.Scalar: [UInt8]] = [:]
        for s in nfc.unicodeScalars {
            let lower: [UInt8]
            if s.isASCII {
                let v = UInt8(s.value)
                if v == 0x20 || (0x09...0x0d).contains(v) {
                    lower = []
                } else {
                    inSpace = false
                    out.append(v >= 0x41 && v <= 0x5a ? v + 0x20 : v)
                    continue
                }
            } else if let known = lowered[s] {
                lower = known
            } else {
                lower = s.properties.isWhitespace ? [] : Array(s.properties.lowercaseMapping.utf8)
                lowered[s] = lower
            }
            if lower.isEmpty {
                if !inSpace { out.append(0x20) }
                inSpace = true
            } else {
                inSpace = false
                out.append(contentsOf: lower)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always) static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    @inline(__always) static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// CLIP's split regex over normalised text (alternatives tried in order at each position).
    static func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        var i = 0
        func has(_ literal: String, at p: Int) -> Bool {
            let lit = Array(literal.unicodeScalars)
            guard p + lit.count <= scalars.count else { return false }
            for k in 0..<lit.count where scalars[p + k] != lit[k] { return false }
            return true
        }
        func emit(_ from: Int, _ to: Int) {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: scalars[from..<to])
            pieces.append(String(v))
        }
        let literals = ["<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"]
        while i < scalars.count {
            let s = scalars[i]
            if let lit = literals.first(where: { has($0, at: i) }) {
                let n = lit.unicodeScalars.count
                if lit.hasPrefix("<|") {
                    // ByteLevel's own GPT-2 regex then splits the piece again: "<|", the word, "|>".
                    emit(i, i + 2)
                    emit(i + 2, i + n - 2)
                    emit(i + n - 2, i + n)
                } else {
                    emit(i, i + n)
                }
                i += n
            } else if isLetter(s) {
                var j = i + 1
                while j < scalars.count, isLetter(scalars[j]) { j += 1 }
                emit(i, j)
                i = j
            } else if isNumber(s) {
                emit(i, i + 1)
                i += 1
            } else if s.properties.isWhitespace {
                i += 1
            } else {
                var j = i + 1
                while j < scalars.count, !isLetter(scalars[j]), !isNumber(scalars[j]), !scalars[j].properties.isWhitespace {
                    j += 1
                }
                emit(i, j)
                i = j
            }
        }
        return pieces
    }
}
