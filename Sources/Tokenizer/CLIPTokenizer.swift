// CLIPTokenizer: the tokenizer of SD v1.x's text encoder, identical to transformers' CLIPTokenizer as diffusers
// calls it — padding "max_length" 77, truncation to <|startoftext|> + 75 tokens + <|endoftext|>, padded with
// <|endoftext|> (49407). Pre-tokenisation: CLIPPreTokenizer; each piece's UTF-8 bytes go through GPT-2's byte map,
// "</w>" marks the last symbol, and merges apply lowest rank first (merges.txt order).
import Foundation

/// CLIP's byte-level BPE tokenizer with the vocabulary of openai/clip-vit-large-patch14.
public final class CLIPTokenizer: @unchecked Sendable {
    /// Sequence length the text encoder takes (tokenizer_config.json model_max_length).
    public let maxLength: Int
    public let bosID: Int
    public let eosID: Int
    public let padID: Int
    /// Token string → id (vocab.json).
    public let vocabulary: [String: Int]
    /// (left id, right id) packed → (rank, merged id).
    private let merges: [UInt64: (rank: Int, merged: Int)]
    /// Symbol ids of each byte, without and with "</w>".
    private let byteIDs: [Int]
    private let byteEndIDs: [Int]
    private var cache: [String: [Int]] = [:]
    private let lock = NSLock()

    /// Loads `vocab.json` and `merges.txt` from `folder` (a diffusers `tokenizer/` folder or the fixture folder).
    public convenience init(folder: URL, maxLength: Int = 77) throws {
        try self.init(vocabURL: folder.appendingPathComponent("vocab.json"),
                      mergesURL: folder.appendingPathComponent("merges.txt"), maxLength: maxLength)
    }

    public init(vocabURL: URL, mergesURL: URL, maxLength: Int = 77) throws {
        func read(_ url: URL) throws -> Data {
            do { return try Data(contentsOf: url) } catch {
                throw TokenizerError.unreadable(file: url.path, reason: "\(error.localizedDescription)")
            }
        }
        guard let object = try? JSONSerialization.jsonObject(with: read(vocabURL)),
              let raw = object as? [String: Any] else {
            throw TokenizerError.malformed(file: vocabURL.path, reason: "not a JSON object of token → id")
        }
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(raw.count)
        for (k, v) in raw {
            guard let n = v as? NSNumber else { throw TokenizerError.malformed(file: vocabURL.path, reason: "id of '\(k)' is not a number") }
            vocab[k] = n.intValue
        }
        self.vocabulary = vocab
        self.maxLength = maxLength
        func id(_ token: String, _ file: String) throws -> Int {
            guard let i = vocab[token] else { throw TokenizerError.malformed(file: file, reason: "token '\(token)' is not in the vocabulary") }
            return i
        }
        bosID = try id("<|startoftext|>", vocabURL.path)
        eosID = try id("<|endoftext|>", vocabURL.path)
        padID = eosID  // SD v1.x pads with <|endoftext|> (SD 2 / OpenCLIP pad with "!" = 0)
        byteIDs = try ByteLevelEncoding.table.map { try id($0, vocabURL.path) }
        byteEndIDs = try ByteLevelEncoding.table.map { try id($0 + "</w>", vocabURL.path) }

        let text = String(decoding: try read(mergesURL), as: UTF8.self)
        var table: [UInt64: (rank: Int, merged: Int)] = [:]
        var rank = 0
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if n == 0 && line.hasPrefix("#version") { continue }
            if line.isEmpty { continue }
            let parts = line.split(separator: " ")
            guard parts.count == 2 else {
                throw TokenizerError.malformed(file: mergesURL.path, reason: "line \(n + 1) is not a pair: '\(line)'")
            }
            let a = try id(String(parts[0]), mergesURL.path), b = try id(String(parts[1]), mergesURL.path)
            let merged = try id(String(parts[0]) + String(parts[1]), mergesURL.path)
            let key = UInt64(a) << 32 | UInt64(b)
            if table[key] == nil { table[key] = (rank, merged) }
            rank += 1
        }
        merges = table
    }

    /// Token ids of `text` without bos/eos, padding or truncation.
    public func encodeRaw(_ text: String) -> [Int] {
        var ids: [Int] = []
        for piece in CLIPPreTokenizer.pieces(text) {
            switch piece {
            case .special(let id): ids.append(id)
            case .text(let t): ids += bpe(t)
            }
        }
        return ids
    }

    /// The 77 ids the text encoder gets: bos, at most maxLength − 2 tokens, eos, then padding.
    public func encode(_ text: String) -> [Int] {
        var ids = [bosID] + encodeRaw(text).prefix(maxLength - 2) + [eosID]
        ids += [Int](repeating: padID, count: maxLength - ids.count)
        return ids
    }

    /// The token strings of ids (for debugging and `ldmprobe tokenize --show`).
    public func tokens(_ ids: [Int]) -> [String] {
        let reverse = Dictionary(vocabulary.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        return ids.map { reverse[$0] ?? "<\($0)>" }
    }

    /// BPE of one pre-token: bytes → symbols (last one with "</w>") → merges by rank.
    private func bpe(_ piece: String) -> [Int] {
        lock.lock()
        if let hit = cache[piece] { lock.unlock(); return hit }
        lock.unlock()
        let bytes = Array(piece.utf8)
        guard !bytes.isEmpty else { return [] }
        var word = bytes.enumerated().map { i, b in i == bytes.count - 1 ? byteEndIDs[Int(b)] : byteIDs[Int(b)] }
        while word.count > 1 {
            // The lowest-ranked adjacent pair; all its occurrences merge left to right.
            var best: (rank: Int, merged: Int, left: Int, right: Int)?
            for i in 0..<(word.count - 1) {
                if let m = merges[UInt64(word[i]) << 32 | UInt64(word[i + 1])], best == nil || m.rank < best!.rank {
                    best = (m.rank, m.merged, word[i], word[i + 1])
                }
            }
            guard let b = best else { break }
            var next: [Int] = []
            next.reserveCapacity(word.count)
            var i = 0
            while i < word.count {
                if i + 1 < word.count, word[i] == b.left, word[i + 1] == b.right {
                    next.append(b.merged)
                    i += 2
                } else {
                    next.append(word[i])
                    i += 1
                }
            }
            word = next
        }
        lock.lock()
        cache[piece] = word
        lock.unlock()
        return word
    }
}
