// What a finished probe study hands back besides its files: enough to rewrite its tables and report (the
// permuted-weights control adds its rows afterwards).
import PluginHost
import Study

public struct StudyOutcome {
    public var rows: [MetricRow]
    public var predictions: [PredictionRecord]
    public var split: DataSplit
    public var properties: [(String, LabelKind)]
    /// The run folder and its manifest's text, as the report shows them.
    public var runPath: String
    public var manifest: String
}
