// The in-process study's tap: gathers each generated image's activations in memory while the UNet runs (the conditional
// branch of every probed capture point, [U, C, h, w] per layer), labels the decoded image in memory with every
// property's labeler, and hands both to `handler` when the image is done. It keeps only the current image:
// what happens next (streamed into the probes, kept in memory, spilled to a temporary folder) is the handler's.
import FileFormats
import Foundation
import Pipeline
import Study

public final class ImageActivationCollector: ActivationConsumer, StepObserver {
    /// The probed capture points, in study (UNet) order.
    let points: [CapturePoint]
    let calls: Int
    let properties: [StudyProperty]
    let labelHeight: Int
    let labelWidth: Int
    /// --keep-labels: <folder>/<property>/<id>.npy, float32 [H, W].
    let labelsFolder: URL?
    /// (image id, layer → [U, C, h, w], labels per property [H·W]).
    let handler: (String, [String: [Float]], [[Float]]) throws -> Void
    /// Seconds spent labelling and in the handler (reported as probe time, not generation time).
    public private(set) var seconds = 0.0
    /// Told each image's labels (per property) before `handler` (the word-map study scores against them).
    public var labelObserver: ((String, [[Float]]) -> Void)?

    private let index: [String: Int]
    /// [U, C, h, w] per point, overwritten image after image (a copy is made only if the handler keeps one).
    private var buffers: [[Float]]
    private var received = 0

    init(points: [CapturePoint], calls: Int, properties: [StudyProperty], labelHeight: Int, labelWidth: Int,
         labelsFolder: URL?, handler: @escaping (String, [String: [Float]], [[Float]]) throws -> Void) {
        self.points = points
        self.calls = calls
        self.properties = properties
        self.labelHeight = labelHeight
        self.labelWidth = labelWidth
        self.labelsFolder = labelsFolder
        self.handler = handler
        index = Dictionary(points.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { a, _ in a })
        buffers = points.map { _ in [] }
    }

    /// Bytes of one image's activations.
    public static func imageBytes(_ points: [CapturePoint], calls: Int) -> Int {
        points.reduce(0) { $0 + calls * $1.featureShape.reduce(1, *) * 4 }
    }

    public func captureRequest(available: [CapturePoint]) -> CaptureRequest {
        CaptureRequest(paths: Set(points.map(\.path)), branches: [.cond])
    }

    public func consume(_ a: CapturedActivation) throws {
        guard a.branch == .cond, let k = index[a.point.path] else { return }
        let n = points[k].featureShape.reduce(1, *)
        guard a.values.count == n, a.call >= 0, a.call < calls else {
            throw PipelineError.shape(what: "activation at \(a.point.path), call \(a.call)", expected: points[k].featureShape,
                                      found: [a.values.count])
        }
        buffers[k].withUnsafeMutableBufferPointer { dst in
            a.values.withUnsafeBufferPointer { src in
                (dst.baseAddress! + a.call * n).update(from: src.baseAddress!, count: n)
            }
        }
        received += 1
    }

    public func imageWillStart(_ context: ImageContext) throws {
        received = 0
        for k in points.indices where buffers[k].count != calls * points[k].featureShape.reduce(1, *) {
            buffers[k] = [Float](repeating: 0, count: calls * points[k].featureShape.reduce(1, *))
        }
    }

    public func imageDidFinish(_ result: GeneratedImage) throws {
        let start = Date()
        defer { seconds += Date().timeIntervalSince(start) }
        let id = result.context.job.id
        guard received == calls * points.count else {
            throw StudyError.badInput("image \(id): \(received) activations captured, expected \(calls) calls × "
                                      + "\(points.count) layers")
        }
        var labels: [[Float]] = []
        for p in properties {
            let l = try p.label(imageID: id, image: result.image, height: labelHeight, width: labelWidth)
            if let labelsFolder {
                try NpyArray(float32: l, shape: [labelHeight, labelWidth])
                    .write(to: labelsFolder.appendingPathComponent(p.name).appendingPathComponent(id + ".npy"))
            }
            labels.append(l)
        }
        labelObserver?(id, labels)
        let activations = Dictionary(uniqueKeysWithValues: zip(points.map(\.path), buffers))
        try handler(id, activations, labels)
    }

    public func imageDidFail(_ context: ImageContext, error: Error) { received = 0 }
}
