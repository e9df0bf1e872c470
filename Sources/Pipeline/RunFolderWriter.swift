// Writes a run's outputs into its RunFolder: subscribes to the pipeline as an ActivationConsumer (activations,
// streamed to .npy one call at a time) and a StepObserver (intermediates, latents, image, then the manifest).
import FileFormats
import Foundation

/// The run folder as a pipeline subscriber.
public final class RunFolderWriter: ActivationConsumer, StepObserver {
    public let folder: RunFolder
    public private(set) var manifest: RunManifest
    let capture: CaptureSelection
    let branches: BranchSelection
    let dtype: NpyDType
    let saveLatents: Bool
    let saveXt: Bool
    let saveX0: Bool
    /// Open activation files of the current image: path → writer.
    private var writers: [String: NpyStreamWriter] = [:]
    /// For --capture-branch both: the uncond half of the current call per layer, waiting for its cond half.
    private var pendingUncond: [String: [Float]] = [:]
    private var started = Date()

    public init(folder: RunFolder, manifest: RunManifest, capture: CaptureSelection, branches: BranchSelection,
                dtype: NpyDType, saveLatents: Bool, saveIntermediates: String) {
        self.folder = folder
        self.manifest = manifest
        self.capture = capture
        self.branches = branches
        self.dtype = dtype
        self.saveLatents = saveLatents
        saveXt = saveIntermediates == "xt" || saveIntermediates == "both"
        saveX0 = saveIntermediates == "x0" || saveIntermediates == "both"
    }

    /// Writes the manifest as it stands (call once before the first image).
    public func writeManifest() throws { try manifest.write(to: folder.manifestURL) }

    // MARK: ActivationConsumer

    public func captureRequest(available: [CapturePoint]) -> CaptureRequest {
        CaptureRequest(paths: Set(capture.paths), branches: Set(branches.branches))
    }

    public func consume(_ a: CapturedActivation) throws {
        guard let writer = writers[a.point.path] else { return }
        if branches == .both {
            // File layout [U, 2, C, h, w]: uncond then cond per call; the tap hands uncond first.
            if a.branch == .uncond {
                pendingUncond[a.point.path] = a.values
            } else {
                guard let u = pendingUncond.removeValue(forKey: a.point.path) else {
                    throw PipelineError.shape(what: "uncond activation of \(a.point.path) at call \(a.call)",
                                              expected: a.point.featureShape, found: [])
                }
                try writer.append(u + a.values)
            }
        } else {
            try writer.append(a.values)
        }
    }

    // MARK: StepObserver

    public func imageWillStart(_ context: ImageContext) throws {
        let id = context.job.id
        folder.removeOutputs(of: id)
        started = Date()
        writers = [:]
        pendingUncond = [:]
        for point in capture.points {
            let shape = [context.calls] + (branches == .both ? [2] : []) + point.featureShape
            writers[point.path] = try NpyStreamWriter(url: folder.activationURL(id, layer: point.path), dtype: dtype,
                                                      shape: shape)
        }
    }

    public func stepDidFinish(_ step: StepEvent) throws {
        let id = step.context.job.id
        if saveXt {
            try step.decodedLatentImage().write(to: folder.intermediateURL(id, kind: "xt", call: step.call))
        }
        if saveX0, let x0 = try step.decodedOriginalImage() {
            try x0.write(to: folder.intermediateURL(id, kind: "x0", call: step.call))
        }
    }

    public func imageDidFinish(_ result: GeneratedImage) throws {
        let context = result.context
        let id = context.job.id
        for (_, w) in writers { try w.finish() }
        writers = [:]
        if saveLatents {
            let shape = [context.calls + 1] + context.latentShape.dropFirst()
            try NpyArray(float32: result.latents, shape: shape).write(to: folder.latentsURL(id))
        }
        try result.image.write(to: folder.imageURL(id))
        // Last: mark done.
        if let k = manifest.images.firstIndex(where: { $0.id == id }) {
            manifest.images[k].status = .done
            manifest.images[k].seconds = (result.seconds * 1000).rounded() / 1000
            manifest.images[k].finished = RunManifest.now()
        }
        try writeManifest()
    }

    public func imageDidFail(_ context: ImageContext, error: Error) { abandonImage() }

    /// Abandons the current image's open files (after an error): nothing of it looks complete.
    public func abandonImage() {
        for (_, w) in writers { w.cancel() }
        writers = [:]
        pendingUncond = [:]
    }
}
