// What `ldmprobe intervene` does to each image: the target, where and how long to edit, the control, and the
// labeler that scores the results ("measured, not shown").
import PluginHost

public struct InterventionOptions {
    public enum Target { case shift(dx: Int, dy: Int), mask(path: String), depth(path: String) }
    /// Where --shift-foreground takes the image's own label from before moving it.
    public enum OwnLabel: String, Codable { case probe, labeler }

    public var target: Target
    /// Layer module paths (resolved); steps (UNet call indices) to edit.
    public var layers: [String]
    public var steps: [Int]
    public var editor = AdamEditor()
    /// Also run a control that moves each activation by a random direction of the same norm as the probe-guided
    /// edit at that (layer, step) (the norm the intervened run recorded).
    public var control = false
    /// Mixed with each image's seed and the (layer, step) into the control's random directions.
    public var controlSeed: UInt64 = 0
    /// Scores the plain, intervened and control images against the target (IoU of its foreground mask for
    /// binary probes, Spearman of its map for continuous ones). Must be an estimator (it takes the image).
    public var labeler: LabelerInstance?
    /// The labeler's name, for reports.
    public var labelerName = ""
    /// The shift target's own label: the labeler's label of the plain image when a labeler is given (default),
    /// else the probes' last-step reading.
    public var ownLabel: OwnLabel?
    /// Writes the labeler's maps of the three images under <id>/labels/.
    public var writeLabelImages = true

    public init(target: Target, layers: [String], steps: [Int]) {
        self.target = target
        self.layers = layers
        self.steps = steps
    }

    /// The own-label source in effect.
    public var effectiveOwnLabel: OwnLabel { ownLabel ?? (labeler == nil ? .probe : .labeler) }
}
