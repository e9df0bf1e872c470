// The host's view of the word-map core: captures arrive as (CapturePoint, call, [Float]) from the pipeline or a
// stored run. WordMapCore is re-exported so that users of Studies see WordMapOptions and WordMapAggregator.
@_exported import WordMapCore
import Pipeline

extension WordMapAggregator {
    /// Adds one capture: `point` is an `…attn2.probs` point (channels = heads, height = h·w, width = S),
    /// `values` its [heads, h·w, S].
    public mutating func add(point: CapturePoint, call: Int, values: [Float]) throws {
        do {
            try values.withUnsafeBufferPointer {
                try add(path: point.path, heads: point.channels, hw: point.height, s: point.width, call: call,
                        values: $0)
            }
        } catch let e as WordMapError {
            throw StudiesError.option(flag: "wordmaps", value: e.what, reason: e.reason)
        }
    }
}
