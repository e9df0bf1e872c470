// What `ldmprobe early-exit` compares: the calls K after which the schedule changes, the policies, and the
// measures (perceptual distance weights, classifier, labelers for foreground/depth agreement).
public struct EarlyExitConfig: Codable, Sendable {
    /// K values: UNet calls of the full schedule made before the policy takes over (0 … U; stop skips 0).
    public var after: [Int]
    /// Stride policies (S ≥ 2; S = 1 reproduces the full DDIM run and is allowed as a check).
    public var strides: [Int] = []
    /// Include the stop-and-decode-x̂0 policy.
    public var stop = true
    /// PerceptualDistance weights: a VGG-16 state dict or random:SEED[/DIV].
    public var vggWeights = "random:0"
    /// Classifier plugin spec for top-1 agreement, or nil.
    public var classifier: String?
    /// Labeler specs, NAME=SPEC with NAME foreground or depth: Dice / Spearman between the labels of the two images.
    public var labels: [String] = []
    public var bootstrap = 1000
    public var bootstrapSeed: UInt64 = 0
    /// Save every compared image under images/<id>/.
    public var saveImages = true

    public init(after: [Int]) { self.after = after }

    /// The policies in output order: stop first, then strides ascending.
    public var policies: [EarlyExitPolicy] {
        (stop ? [.stop] : []) + strides.sorted().map { .stride($0) }
    }
}
