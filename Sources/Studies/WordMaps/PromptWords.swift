// Words of a prompt as CLIP tokens: where a word's sub-tokens sit in the text encoder's input (position 0 is the
// start token), and the prompt split into words at the BPE's `</w>` word ends.
import Tokenizer

public struct PromptWords {
    /// The prompt's token ids without start/end token, at most maxLength − 2 (what the text encoder sees).
    public let ids: [Int]
    /// Their token strings (`cube</w>`, `ax`, …).
    public let strings: [String]
    private let tokenizer: CLIPTokenizer
    /// The text encoder's sequence length (77): the last dimension of the cross-attention probabilities.
    public var tokenCount: Int { tokenizer.maxLength }

    public init(prompt: String, tokenizer: CLIPTokenizer) {
        self.tokenizer = tokenizer
        ids = tokenizer.encodePrefix(prompt, limit: max(tokenizer.maxLength - 2, 0))
        strings = tokenizer.tokens(ids)
    }

    /// Positions (1 = first prompt token) of the first occurrence of `word`'s tokens, or nil when the prompt does
    /// not hold it (within the 75 tokens the model sees).
    public func positions(of word: String) -> [Int]? {
        let target = tokenizer.encodeRaw(word)
        guard !target.isEmpty, target.count <= ids.count else { return nil }
        for i in 0...(ids.count - target.count) where Array(ids[i ..< i + target.count]) == target {
            return (0..<target.count).map { i + 1 + $0 }
        }
        return nil
    }

    /// The prompt's words: runs of tokens closed by a `</w>` token, as (text, positions).
    public var words: [(text: String, positions: [Int])] {
        var out: [(String, [Int])] = []
        var text = "", positions: [Int] = []
        for (k, s) in strings.enumerated() {
            let end = s.hasSuffix("</w>")
            text += end ? String(s.dropLast(4)) : s
            positions.append(k + 1)
            if end || k == strings.count - 1 {
                out.append((text, positions))
                text = ""
                positions = []
            }
        }
        return out
    }
}
