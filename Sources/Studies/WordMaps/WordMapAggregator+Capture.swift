// DAAM's numerics (WordMapCore, what the `daam` plugin runs) fed host-side captures (CapturePoint, call, [Float]),
// for host code that aggregates without a plugin (the parity test checks WordMapCore this way). The commands and
// the study use the word-map plugin (WordMapCollector). WordMapCore is re-exported for WordMapOptions.
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
