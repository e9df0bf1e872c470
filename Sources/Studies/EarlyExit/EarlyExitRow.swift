// One compared image: a prompt × policy × K, measured against the full run of the same prompt and seed.
public struct EarlyExitRow: Sendable {
    public var id: String
    public var prompt: String
    public var policy: EarlyExitPolicy
    public var after: Int
    /// UNet calls this image cost, and the full run's.
    public var calls: Int
    public var fullCalls: Int
    public var psnr: Double
    public var perceptual: Double
    /// Classifier top-1 class of the full and of this image (nil without --classifier).
    public var top1Full: String?
    public var top1: String?
    /// Dice between the foreground labels / Spearman between the depth labels of the two images (nil if not asked).
    public var foregroundDice: Double?
    public var depthSpearman: Double?

    public var savedFraction: Double { fullCalls > 0 ? 1 - Double(calls) / Double(fullCalls) : 0 }
    public var agrees: Double? {
        guard let top1Full, let top1 else { return nil }
        return top1Full == top1 ? 1 : 0
    }

    static let header = ["image_id", "prompt", "policy", "after", "unet_calls", "full_calls", "calls_saved",
                         "psnr_db", "perceptual", "top1_full", "top1", "top1_agree", "foreground_dice",
                         "depth_spearman"]

    var fields: [String] {
        func f(_ v: Double?) -> String { v.map { $0.isInfinite ? ($0 > 0 ? "inf" : "-inf") : String(format: "%.6g", $0) } ?? "" }
        return [id, prompt, policy.name, "\(after)", "\(calls)", "\(fullCalls)", f(savedFraction), f(psnr),
                f(perceptual), top1Full ?? "", top1 ?? "", f(agrees), f(foregroundDice), f(depthSpearman)]
    }
}
