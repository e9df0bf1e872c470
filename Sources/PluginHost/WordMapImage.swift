// PluginHost — one image as a word-map plugin's begin sees it (wordmap.h's ldmp_wordmap_image).

/// One image's words for a word-map plugin: token positions (0 = start token, 1 = first prompt token).
public struct WordMapImage: Sendable {
    public var latentHeight: Int
    public var latentWidth: Int
    /// S of the probabilities (77 for CLIP).
    public var tokenCount: Int
    /// The prompt's tokens without start and end token.
    public var promptTokens: Int
    /// One token-position list per word (a word may be empty: its map is the plugin's choice, DAAM's is 0).
    public var words: [[Int]]

    public init(latentHeight: Int, latentWidth: Int, tokenCount: Int, promptTokens: Int, words: [[Int]]) {
        self.latentHeight = latentHeight
        self.latentWidth = latentWidth
        self.tokenCount = tokenCount
        self.promptTokens = promptTokens
        self.words = words
    }
}
