// Activations held in memory: `ldmprobe pipeline` keeps every image's activations here when its probe needs
// several passes over them (fit=adam) and they fit under --memory-limit; the probe study reads them like a run
// folder. Values are float32 exactly as the UNet computed them (a run folder stores float16 by default).
import Foundation

public final class MemoryActivations: ActivationSource {
    public let folder: URL
    /// [U, C, h, w] per layer.
    private let shapes: [String: [Int]]
    public let layers: [String]
    /// id → layer → [U, C, h, w] flattened.
    private var store: [String: [String: [Float]]] = [:]

    /// `layers`: (name, [U, C, h, w]) in UNet order; `folder`: the run folder the images and manifest go to.
    public init(folder: URL, layers: [(name: String, shape: [Int])]) {
        self.folder = folder
        self.layers = layers.map(\.name)
        shapes = Dictionary(layers.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
    }

    public var ids: [String] { store.keys.sorted() }

    /// Bytes held.
    public var bytes: Int { store.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count * 4 } } }

    /// Keeps one image's activations: layer → [U, C, h, w].
    public func add(id: String, activations: [String: [Float]]) throws {
        for l in layers {
            guard let a = activations[l], a.count == shapes[l]!.reduce(1, *) else {
                throw StudyError.badInput("image \(id): activations of \(l) missing or not \(shapes[l]!) "
                                          + "(\(activations[l]?.count ?? 0) values)")
            }
        }
        store[id] = activations
    }

    public func shape(layer: String) throws -> [Int] {
        guard let s = shapes[layer] else {
            throw StudyError.invalidArgument("unknown layer '\(layer)' (held in memory: \(layers.joined(separator: ", ")))")
        }
        return s
    }

    public func slice(id: String, layer: String, step: Int) throws -> [Float] {
        let s = try shape(layer: layer)
        guard let a = store[id]?[layer] else { throw StudyError.badInput("image \(id): no activations held in memory") }
        guard step >= 0, step < s[0] else {
            throw StudyError.invalidArgument("step \(step) out of range: \(layer) holds \(s[0]) UNet calls (0…\(s[0] - 1))")
        }
        let n = s[1] * s[2] * s[3]
        return Array(a[(step * n)..<((step + 1) * n)])
    }
}
