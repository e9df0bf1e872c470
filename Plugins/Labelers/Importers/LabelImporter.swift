// LabelImporter: one instance of an importer plugin — a folder of `<image id>.<ext>` files read, transformed
// (tracer threshold, intrinsic shading), normalised and resized to the size the host asks for.
//
// Order of operations: read → kind transform (binary threshold / inverse shading → shading) → normalise (on the
// file's own pixels; minmax is per image) → resize (binary labels are re-thresholded at 0.5 after bilinear).
import Foundation

enum LabelNormalisation: String { case none, zscore, minmax }

/// Everything `create` fixes about an importer.
struct LabelImporterConfig {
    /// Plugin name for messages: tracer, midas, intrinsic, generic.
    var name: String
    var binary: Bool
    /// binary: foreground = value > threshold.
    var threshold: Float = 0
    /// intrinsic: convert inverse shading to shading = 1/clip(inv, 0.001, 1) − 1.
    var shading = false
    var normalisation: LabelNormalisation = .none
    var mean: Float = 0
    var std: Float = 1
    var resize: LabelResize = .nearest
    /// PNG samples divided to [0, 1] (else raw 0…255 / 0…65535).
    var pngUnit = false
    /// Extensions tried in order ("" in the parameter = every supported one).
    var extensions: [String] = LabelFile.formats
}

final class LabelImporter {
    let config: LabelImporterConfig
    let folder: URL

    init(config: LabelImporterConfig, folder: String) throws {
        self.config = config
        var isDir: ObjCBool = false
        guard !folder.isEmpty, FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw PluginLabelError.notFound("\(config.name): label folder '\(folder)' does not exist (hint: --label NAME=\(config.name):PATH names a folder of <image id>.<ext> files)")
        }
        self.folder = URL(fileURLWithPath: folder, isDirectory: true)
    }

    /// The label of `id` at [height, width].
    func load(id: String, height: Int, width: Int) throws -> [Float] {
        guard !id.isEmpty, !id.contains("/"), id != "..", id != "." else {
            throw PluginLabelError.invalid("\(config.name): bad image id '\(id)'")
        }
        guard let url = config.extensions.lazy.map({ self.folder.appendingPathComponent("\(id).\($0)") })
                .first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw PluginLabelError.notFound("\(config.name): no label for image '\(id)' in folder '\(folder.path)' (looked for \(id).{\(config.extensions.joined(separator: ","))})")
        }
        var map = try LabelFile.read(url, pngUnit: config.pngUnit)
        guard map.values.count == map.height * map.width, map.height > 0, map.width > 0 else {
            throw PluginLabelError.invalid("\(url.path): empty label")
        }
        transform(&map)
        try normalise(&map, path: url.path)
        var out = config.resize.apply(map, height: height, width: width)
        if config.binary && config.resize == .bilinear {
            for i in 0..<out.values.count { out.values[i] = out.values[i] > 0.5 ? 1 : 0 }
        }
        return out.values
    }

    private func transform(_ m: inout LabelMap) {
        if config.binary {
            for i in 0..<m.values.count { m.values[i] = m.values[i] > config.threshold ? 1 : 0 }
        } else if config.shading {
            for i in 0..<m.values.count { m.values[i] = 1 / min(max(m.values[i], 0.001), 1) - 1 }
        }
    }

    private func normalise(_ m: inout LabelMap, path: String) throws {
        guard !config.binary else { return }
        switch config.normalisation {
        case .none: break
        case .zscore:
            for i in 0..<m.values.count { m.values[i] = (m.values[i] - config.mean) / config.std }
        case .minmax:
            let lo = m.values.min() ?? 0, hi = m.values.max() ?? 0
            let span = hi - lo
            for i in 0..<m.values.count { m.values[i] = span > 0 ? (m.values[i] - lo) / span : 0 }
        }
        if let bad = m.values.first(where: { !$0.isFinite }) {
            throw PluginLabelError.invalid("\(path): label holds \(bad) after normalisation (hint: check the file)")
        }
    }
}
