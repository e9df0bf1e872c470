// PluginHost — what a probe instance learns (probe.h's ldmp_probe_spec).

/// What a probe instance learns.
public struct ProbeSpec: Sendable {
    public var labelKind: LabelKind
    public var channels: Int
    /// 2 for binary labels, 1 for continuous ones.
    public var outputs: Int
    public var seed: UInt64

    public init(labelKind: LabelKind, channels: Int, outputs: Int? = nil, seed: UInt64 = 0) {
        self.labelKind = labelKind
        self.channels = channels
        self.outputs = outputs ?? (labelKind == .binary ? 2 : 1)
        self.seed = seed
    }
}
