// In-process subscribers to a generation run. The run folder writer is one; the study's probe pipeline and the
// per-step classifier subscribe the same way (LAYOUT.md: "each asked once, at the start, which taps it wants").
//
//   ActivationConsumer: asked once which capture points and branches it wants, then handed each activation
//                       (image id, layer path, call index, branch, tensor [C, h, w]) during the UNet call.
//   StepObserver:       told when an image starts, after every sampler call (x_t, predicted x0, and a lazily
//                       decoded image of either, decoded at most once per step whoever asks), and when it ends.
import FileFormats

/// What a consumer asks for, once per run.
public struct CaptureRequest: Sendable {
    /// Module paths wanted (a subset of the available capture points; others are ignored).
    public var paths: Set<String>
    /// Branches wanted.
    public var branches: Set<Branch>

    public init(paths: Set<String>, branches: Set<Branch> = [.cond]) {
        self.paths = paths
        self.branches = branches
    }

    public static let nothing = CaptureRequest(paths: [], branches: [])
}

/// One activation as handed to consumers.
public struct CapturedActivation {
    public let imageID: String
    public let point: CapturePoint
    /// 0-based UNet call index (step s of the studies is call s).
    public let call: Int
    /// The timestep given to the UNet at this call.
    public let timestep: Double
    public let branch: Branch
    /// [C, h, w] float32, row-major (attention tokens transposed to channel-first).
    public let values: [Float]
}

/// Receives captured activations.
public protocol ActivationConsumer: AnyObject {
    /// Called once before the first image with every capture point of the model at this latent size.
    func captureRequest(available: [CapturePoint]) -> CaptureRequest
    /// Called during the UNet call for each wanted (path, branch). `values` are only borrowed for the call.
    func consume(_ activation: CapturedActivation) throws
}

/// Per-image context handed to observers.
public struct ImageContext: Sendable {
    public let job: ImageJob
    /// Position in this run (0-based) and the run's image count.
    public let index: Int
    public let total: Int
    /// Sampler calls planned (U) and their timesteps.
    public let calls: Int
    public let timesteps: [Double]
    /// Latent shape [1, 4, h, w].
    public let latentShape: [Int]
}

/// The state after one sampler call.
public final class StepEvent {
    public let context: ImageContext
    /// 0-based call index; the latent below is x after this call.
    public let call: Int
    public let timestep: Double
    /// x_t after the call, [1, 4, h, w].
    public let latent: [Float]
    /// The sampler's predicted x0, [1, 4, h, w].
    public let predictedOriginal: [Float]?
    private let decoder: ([Float]) throws -> PNGImage
    private var decodedLatent: PNGImage?
    private var decodedOriginal: PNGImage?

    init(context: ImageContext, call: Int, timestep: Double, latent: [Float], predictedOriginal: [Float]?,
         decoder: @escaping ([Float]) throws -> PNGImage) {
        self.context = context
        self.call = call
        self.timestep = timestep
        self.latent = latent
        self.predictedOriginal = predictedOriginal
        self.decoder = decoder
    }

    /// x_t decoded by the VAE as an 8-bit RGB image (decoded once, shared by every observer).
    public func decodedLatentImage() throws -> PNGImage {
        if let d = decodedLatent { return d }
        let d = try decoder(latent)
        decodedLatent = d
        return d
    }

    /// The predicted x0 decoded (nil when the sampler gives none).
    public func decodedOriginalImage() throws -> PNGImage? {
        guard let x0 = predictedOriginal else { return nil }
        if let d = decodedOriginal { return d }
        let d = try decoder(x0)
        decodedOriginal = d
        return d
    }
}

/// The finished image.
public struct GeneratedImage {
    public let context: ImageContext
    /// 8-bit RGB, H×W.
    public let image: PNGImage
    /// Every latent: the initial one, then x after each call: [U+1, 4, h, w] flattened.
    public let latents: [Float]
    public let seconds: Double
}

/// Follows the sampler loop.
public protocol StepObserver: AnyObject {
    func imageWillStart(_ context: ImageContext) throws
    func stepDidFinish(_ step: StepEvent) throws
    func imageDidFinish(_ result: GeneratedImage) throws
    /// The image failed (the error is rethrown by the pipeline); drop what was started for it.
    func imageDidFail(_ context: ImageContext, error: Error)
}

extension StepObserver {
    public func imageWillStart(_ context: ImageContext) throws {}
    public func stepDidFinish(_ step: StepEvent) throws {}
    public func imageDidFinish(_ result: GeneratedImage) throws {}
}
