// TokenizerError: the Tokenizer module's one error enum.

/// What can go wrong loading a CLIP tokenizer.
public enum TokenizerError: Error, CustomStringConvertible {
    /// vocab.json / merges.txt missing or unreadable.
    case unreadable(file: String, reason: String)
    /// The file is there but malformed.
    case malformed(file: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason) (hint: pass the model folder that holds tokenizer/vocab.json and tokenizer/merges.txt)"
        case .malformed(let file, let reason):
            return "\(file): \(reason) (hint: use the files published with openai/clip-vit-large-patch14 or tools/make_clip_vocab.py)"
        }
    }
}
