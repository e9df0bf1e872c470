// Where a probing study reads activations from, one (image, layer, step) slice at a time: a run folder on disk
// (RunActivations) or activations held in memory by `ldmprobe pipeline` (MemoryActivations).
import Foundation

public protocol ActivationSource: AnyObject {
    /// The run folder this came from (images/, manifest.json), for the report.
    var folder: URL { get }
    /// Image ids, sorted.
    var ids: [String] { get }
    /// Layer names in UNet order.
    var layers: [String] { get }
    /// [U, C, h, w] of a layer.
    func shape(layer: String) throws -> [Int]
    /// The activation of `id` at `layer` and UNet call `step`: [C, h, w].
    func slice(id: String, layer: String, step: Int) throws -> [Float]
}

extension ActivationSource {
    /// The run's manifest.json text, if present.
    public var manifestText: String? {
        try? String(contentsOf: folder.appendingPathComponent("manifest.json"), encoding: .utf8)
    }
}
