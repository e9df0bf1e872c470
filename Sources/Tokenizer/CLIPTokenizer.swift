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
            // Ids are packed two to a UInt64 merge key: each must be an integer in 0…2³¹−1.
            guard let n = v as? NSNumber, let id = Int(exactly: n.doubleValue), (0...Int(Int32.max)).contains(id) else {
                throw TokenizerError.malformed(file: vocabURL.path,
                    reason: "id of '\(k.prefix(40))' is \(v), not an integer in 0…\(Int32.max)")
            }
            vocab[k] = id
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
        // Lines end in LF or CRLF (a Swift Character holds "\r\n" whole, and isNewline matches it).
        for (n, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
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
        guard !table.isEmpty else {
            throw TokenizerError.malformed(file: mergesURL.path,
                reason: "no merges (empty file?): every prompt would be split into single characters")
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
        var ids = [bosID] + encodePrefix(text, limit: max(maxLength - 2, 0)) + [eosID]
        ids += [Int](repeating: padID, count: maxLength - ids.count)
        return ids
    }

    /// The first `limit` ids of `encodeRaw(text)`, at a cost bounded by the window rather than by the text: the
    /// pre-tokenizer runs on a growing prefix until it yields enough whole pieces (each piece is at least one
    /// token; the last few pieces of a cut prefix may differ from the whole text's — a cut word, a cut special
    /// token — so they are not used), and BPE stops once the window is full.
    public func encodePrefix(_ text: String, limit: Int) -> [Int] {
        let unsure = 4
        var length = 4096
        while true {
            let part = text.prefix(length)
            let whole = part.endIndex == text.endIndex
            var pieces = CLIPPreTokenizer.pieces(String(part))
            if !whole {
                guard pieces.count >= limit + unsure else { length *= 4; continue }
                pieces.removeLast(unsure)
            }
            var ids: [Int] = []
            for piece in pieces {
                if ids.count >= limit { break }
                switch piece {
                case .special(let id): ids.append(id)
                case .text(let t): ids += bpe(t)
                }
            }
            return Array(ids.prefix(limit))
        }
    }

    /// The token strings of ids (for debugging and `ldmprobe tokenize --show`).
    public func tokens(_ ids: [Int]) -> [String] {
        let reverse = Dictionary(vocabulary.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        return ids.map { reverse[$0] ?? "<\($0)>" }
    }

    /// BPE of one pre-token: bytes → symbols (last one with "</w>") → merges by rank. Merging all occurrences of
    /// the lowest-ranked pair left to right, round after round, as transformers does, but with a heap of candidate
    /// pairs over a linked list of symbols: O(n log n) in the piece's length instead of O(n²).
    private func bpe(_ piece: String) -> [Int] {
        let cacheable = piece.utf8.count <= 64
        if cacheable {
            lock.lock()
            if let hit = cache[piece] { lock.unlock(); return hit }
            lock.unlock()
        }
        let bytes = Array(piece.utf8)
        guard !bytes.isEmpty else { return [] }
        var symbol = bytes.enumerated().map { i, b in i == bytes.count - 1 ? byteEndIDs[Int(b)] : byteIDs[Int(b)] }
        let n = symbol.count
        var next = Array(1...n), prev = Array(-1..<(n - 1)), alive = [Bool](repeating: true, count: n)
        var heap = PairHeap()
        func offer(_ i: Int) {
            guard i >= 0, next[i] < n, let m = merges[UInt64(symbol[i]) << 32 | UInt64(symbol[next[i]])] else { return }
            heap.push(rank: m.rank, position: i)
        }
        for i in 0..<(n - 1) { offer(i) }
        while let rank = heap.minRank {
            // One round: every candidate of this rank, left to right; pairs the round creates wait for later rounds.
            var positions = Set<Int>()
            while heap.minRank == rank, let p = heap.pop() { positions.insert(p) }
            var created: [Int] = []
            for i in positions.sorted() {
                guard alive[i], next[i] < n,
                      let m = merges[UInt64(symbol[i]) << 32 | UInt64(symbol[next[i]])], m.rank == rank else { continue }
                let j = next[i]
                symbol[i] = m.merged
                alive[j] = false
                next[i] = next[j]
                if next[j] < n { prev[next[j]] = i }
                created.append(i)
            }
            for i in created where alive[i] { offer(prev[i]); offer(i) }
        }
        var word: [Int] = []
        var i = 0
        while i < n { word.append(symbol[i]); i = next[i] }
        if cacheable {
            lock.lock()
            if cache.count < 100_000 { cache[piece] = word }
            lock.unlock()
        }
        return word
    }
}
