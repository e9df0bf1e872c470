// The probes an intervention steers by: one ProbeInstance per (layer, step), loaded from a safetensors file that
// `ldmprobe probe` wrote (probes/<property>.safetensors: "<layer>/step_<s>/weight" F32 [outputs, C] and optionally
// "<layer>/step_<s>/bias" [outputs]; metadata "probe" and "property"). Weights go back in with set_weights.
import Foundation
import Pipeline
import PluginHost
import Weights

public final class InterventionProbes {
    public let path: String
    public let property: String
    public let kind: LabelKind
    /// Keyed by "<layer>/step_<s>".
    public private(set) var instances: [String: ProbeInstance] = [:]
    /// The (layer, step) pairs present in the file.
    public private(set) var available: [(layer: String, step: Int)] = []

    /// Loads every probe in `path` into instances of `plugin` (which must provide loss_gradient).
    public init(path: String, plugin: ProbePlugin) throws {
        self.path = path
        guard plugin.supportsLossGradient else {
            throw InterventionError.probeFile(path: path, reason: "probe plugin \(plugin.name) has no loss_gradient")
        }
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: path) } catch {
            throw InterventionError.probeFile(path: path, reason: "\(error)")
        }
        property = file.metadata["property"] ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var kind: LabelKind?
        for key in file.entries.keys.sorted() where key.hasSuffix("/weight") {
            let stem = String(key.dropLast("/weight".count))
            guard let slash = stem.range(of: "/step_", options: .backwards),
                  let step = Int(stem[slash.upperBound...]) else {
                throw InterventionError.probeFile(path: path, reason: "key \(key) is not <layer>/step_<s>/weight")
            }
            let layer = String(stem[..<slash.lowerBound])
            guard let shape = file.shape(key), shape.count == 2, shape[0] == 1 || shape[0] == 2 else {
                throw InterventionError.probeFile(path: path, reason: "\(key) has shape \(file.shape(key) ?? []), expected [1 or 2, C]")
            }
            let k: LabelKind = shape[0] == 2 ? .binary : .continuous
            if let kind, kind != k {
                throw InterventionError.probeFile(path: path, reason: "mixes binary and continuous probes (\(key))")
            }
            kind = k
            let weight: [Float], bias: [Float]?
            do {
                weight = try file.tensor(key).data
                bias = file.entries["\(stem)/bias"] == nil ? nil : try file.tensor("\(stem)/bias").data
            } catch { throw InterventionError.probeFile(path: path, reason: "\(key): \(error)") }
            do {
                let p = try plugin.instantiate(ProbeSpec(labelKind: k, channels: shape[1], outputs: shape[0]))
                try p.setWeights(weight: weight, bias: bias)
                instances[stem] = p
            } catch { throw InterventionError.probeFile(path: path, reason: "\(key): \(error)") }
            available.append((layer, step))
        }
        guard let kind else { throw InterventionError.probeFile(path: path, reason: "holds no <layer>/step_<s>/weight") }
        self.kind = kind
    }

    /// Probes given directly (tests, or probes trained in process).
    public init(property: String, kind: LabelKind, instances: [String: ProbeInstance]) {
        path = "(in memory)"
        self.property = property
        self.kind = kind
        self.instances = instances
        available = instances.keys.sorted().compactMap { stem in
            guard let r = stem.range(of: "/step_", options: .backwards), let s = Int(stem[r.upperBound...]) else { return nil }
            return (String(stem[..<r.lowerBound]), s)
        }
    }

    public func probe(layer: String, step: Int) -> ProbeInstance? { instances["\(layer)/step_\(step)"] }

    /// Finds the property's file in a probe output folder (DIR/probes/<property>.safetensors or DIR/<property>…).
    public static func file(in dir: String, property: String) throws -> String {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: dir, isDirectory: &isDir), !isDir.boolValue { return dir }
        for sub in ["probes", ""] {
            let folder = URL(fileURLWithPath: dir).appendingPathComponent(sub)
            let exact = folder.appendingPathComponent("\(property).safetensors").path
            if fm.fileExists(atPath: exact) { return exact }
            let names = (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
            if let hit = names.sorted().first(where: { $0.hasPrefix(property) && $0.hasSuffix(".safetensors") }) {
                return folder.appendingPathComponent(hit).path
            }
        }
        throw InterventionError.probeFile(path: dir, reason: "no \(property)*.safetensors in it or in its probes/")
    }
}
