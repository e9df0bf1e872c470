// What one intervened image reports (<out>/<id>/report.json): the edits, probe-read scores, the labeler's scores
// and the time of each run.

public struct InterventionImageReport: Codable {
    public struct Edit: Codable {
        public var layer: String
        public var step: Int
        public var lossBefore: Double
        public var lossAfter: Double
        public var changeNorm: Double
        public var activationNorm: Double
    }

    /// The labeler's reading of each image scored against the target: IoU of its foreground (binary) or
    /// Spearman correlation of its map (continuous) with the target. nan (with `note`) when undefined, e.g. an
    /// empty target mask or a constant map.
    public struct LabelerScores: Codable {
        public var labeler: String
        public var metric: String
        public var plain: Double
        public var intervened: Double
        public var control: Double?
        public var note: String?

        public init(labeler: String, metric: String, plain: Double, intervened: Double, control: Double?,
                    note: String? = nil) {
            self.labeler = labeler
            self.metric = metric
            self.plain = plain
            self.intervened = intervened
            self.control = control
            self.note = note
        }
    }

    public var id: String
    public var prompt: String
    public var seed: UInt64?
    public var property: String
    public var kind: String
    public var target: String
    public var labelStep: Int
    public var iterations: Int
    public var learningRate: Double
    public var edits: [Edit]
    /// Binary: IoU of the last-step probe readout with the target; continuous: mean |readout − target|.
    public var scorePlain: Double
    public var scoreIntervened: Double
    public var scoreControl: Double?
    public var labelerScores: LabelerScores?
    public var secondsPlain: Double
    public var secondsIntervened: Double
    public var secondsEditing: Double
    public var secondsControl: Double?

    public init(id: String, prompt: String, seed: UInt64?, property: String, kind: String, target: String,
                labelStep: Int, iterations: Int, learningRate: Double, edits: [Edit], scorePlain: Double,
                scoreIntervened: Double, scoreControl: Double?, labelerScores: LabelerScores?, secondsPlain: Double,
                secondsIntervened: Double, secondsEditing: Double, secondsControl: Double?) {
        self.id = id
        self.prompt = prompt
        self.seed = seed
        self.property = property
        self.kind = kind
        self.target = target
        self.labelStep = labelStep
        self.iterations = iterations
        self.learningRate = learningRate
        self.edits = edits
        self.scorePlain = scorePlain
        self.scoreIntervened = scoreIntervened
        self.scoreControl = scoreControl
        self.labelerScores = labelerScores
        self.secondsPlain = secondsPlain
        self.secondsIntervened = secondsIntervened
        self.secondsEditing = secondsEditing
        self.secondsControl = secondsControl
    }
}
