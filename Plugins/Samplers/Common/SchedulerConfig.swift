// SamplerSupport — the keys of a diffusers scheduler_config.json that the samplers read.
//
// Like diffusers' `from_config`, keys a scheduler does not know are ignored and missing keys take *that
// scheduler's own* defaults (`SchedulerConfig.ddim`, `.pndm`, `.lms` below mirror the `__init__` defaults of
// DDIMScheduler, PNDMScheduler and LMSDiscreteScheduler in diffusers 0.42.1). So SD v1.4's file, which has no
// timestep_spacing key, gives "leading" to DDIM and PNDM but "linspace" to K-LMS.
import Foundation

public struct SchedulerConfig {
    /// Training steps of the diffusion process (`num_train_timesteps`).
    public var numTrainTimesteps = 1000
    /// First β (`beta_start`).
    public var betaStart = 0.0001
    /// Last β (`beta_end`).
    public var betaEnd = 0.02
    /// "linear", "scaled_linear" or "squaredcos_cap_v2" (`beta_schedule`).
    public var betaSchedule = "linear"
    /// Explicit βs (`trained_betas`), overriding the schedule when present.
    public var trainedBetas: [Double]? = nil
    /// Clip x̂0 to ±clip_sample_range (DDIM only; `clip_sample`).
    public var clipSample = true
    /// The clipping bound (`clip_sample_range`).
    public var clipSampleRange = 1.0
    /// ᾱ past the last step: 1 when true, else ᾱ[0] (`set_alpha_to_one`).
    public var setAlphaToOne = true
    /// Added to leading-spaced timesteps (`steps_offset`).
    public var stepsOffset = 0
    /// "epsilon", "v_prediction" or "sample" (`prediction_type`).
    public var predictionType = "epsilon"
    /// "leading", "trailing" or "linspace" (`timestep_spacing`).
    public var timestepSpacing = "leading"
    /// PNDM: PLMS only, without the Runge–Kutta warm-up (`skip_prk_steps`).
    public var skipPrkSteps = false
    /// DDIM dynamic thresholding (`thresholding`; unsupported here).
    public var thresholding = false
    /// DDIM zero-terminal-SNR rescaling (`rescale_betas_zero_snr`; unsupported here).
    public var rescaleBetasZeroSnr = false
    /// K-LMS sigma variants (`use_karras_sigmas`, `use_exponential_sigmas`, `use_beta_sigmas`; unsupported here).
    public var useKarrasSigmas = false
    public var useExponentialSigmas = false
    public var useBetaSigmas = false

    public init() {}

    /// DDIMScheduler's defaults.
    public static var ddim: SchedulerConfig { SchedulerConfig() }

    /// PNDMScheduler's defaults.
    public static var pndm: SchedulerConfig {
        var c = SchedulerConfig()
        c.setAlphaToOne = false
        c.clipSample = false  // PNDM has no clipping
        return c
    }

    /// LMSDiscreteScheduler's defaults.
    public static var lms: SchedulerConfig {
        var c = SchedulerConfig()
        c.timestepSpacing = "linspace"
        c.clipSample = false
        c.setAlphaToOne = false
        return c
    }

    /// SD v1.4's scheduler/scheduler_config.json, used when the host passes no config.
    public static let stableDiffusionV14JSON = """
        {"_class_name": "PNDMScheduler", "_diffusers_version": "0.7.0.dev0", "beta_end": 0.012,
         "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
         "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null,
         "clip_sample": false}
        """

    /// `defaults` overridden by the keys present in `json` (nil: SD v1.4's config). `sampler` names errors.
    public init(json: String?, defaults: SchedulerConfig, sampler: String) throws {
        self = defaults
        let text = json ?? SchedulerConfig.stableDiffusionV14JSON
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
        } catch {
            throw SamplerError.badConfig(sampler: sampler, message: "not valid JSON (\(error))")
        }
        guard let dict = object as? [String: Any] else {
            throw SamplerError.badConfig(sampler: sampler, message: "top level is not a JSON object")
        }
        let r = KeyReader(dict: dict, sampler: sampler)
        try r.int("num_train_timesteps", &numTrainTimesteps)
        try r.double("beta_start", &betaStart)
        try r.double("beta_end", &betaEnd)
        try r.string("beta_schedule", &betaSchedule)
        try r.doubles("trained_betas", &trainedBetas)
        try r.bool("clip_sample", &clipSample)
        try r.double("clip_sample_range", &clipSampleRange)
        try r.bool("set_alpha_to_one", &setAlphaToOne)
        try r.int("steps_offset", &stepsOffset)
        try r.string("prediction_type", &predictionType)
        try r.string("timestep_spacing", &timestepSpacing)
        try r.bool("skip_prk_steps", &skipPrkSteps)
        try r.bool("thresholding", &thresholding)
        try r.bool("rescale_betas_zero_snr", &rescaleBetasZeroSnr)
        try r.bool("use_karras_sigmas", &useKarrasSigmas)
        try r.bool("use_exponential_sigmas", &useExponentialSigmas)
        try r.bool("use_beta_sigmas", &useBetaSigmas)
        try validate(sampler: sampler)
    }

    /// The ranges inside which the schedule stays finite: 0 ≤ β < 1 so that every ᾱ is positive, a bounded
    /// number of training steps (arrays of that length are allocated), a positive clipping bound.
    public func validate(sampler: String) throws {
        func bad(_ key: String, _ value: Any, _ valid: String) -> SamplerError {
            .invalidValue(sampler: sampler, key: key, message: "\(value) is out of range (valid: \(valid))")
        }
        guard (2...100_000).contains(numTrainTimesteps) else {
            throw bad("num_train_timesteps", numTrainTimesteps, "2…100000")
        }
        let beta: ClosedRange<Double> = 0...0.999
        guard betaStart.isFinite, beta.contains(betaStart) else { throw bad("beta_start", betaStart, "0…0.999") }
        guard betaEnd.isFinite, beta.contains(betaEnd) else { throw bad("beta_end", betaEnd, "0…0.999") }
        if let betas = trainedBetas {
            guard betas.count == numTrainTimesteps else {
                throw bad("trained_betas", "\(betas.count) values", "num_train_timesteps = \(numTrainTimesteps) values")
            }
            if let b = betas.first(where: { !$0.isFinite || !beta.contains($0) }) { throw bad("trained_betas", b, "0…0.999 each") }
        }
        guard clipSampleRange.isFinite, clipSampleRange > 0 else { throw bad("clip_sample_range", clipSampleRange, "> 0") }
        guard (0..<numTrainTimesteps).contains(stepsOffset) else {
            throw bad("steps_offset", stepsOffset, "0…\(numTrainTimesteps - 1)")
        }
    }
}

/// Reads typed keys out of a JSONSerialization dictionary; a missing key or JSON null keeps the default.
struct KeyReader {
    let dict: [String: Any]
    let sampler: String

    private func present(_ key: String) -> Any? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        return v
    }

    private func wrongType(_ key: String, _ want: String, _ v: Any) -> SamplerError {
        .badConfig(sampler: sampler, message: "key '\(key)' should be \(want), got \(v)")
    }

    /// A JSON number as Double.
    private func number(_ v: Any) -> Double? {
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        return (v as? NSNumber)?.doubleValue
    }

    func int(_ key: String, _ out: inout Int) throws {
        guard let v = present(key) else { return }
        guard let d = number(v), d == d.rounded(), abs(d) < 1e15 else { throw wrongType(key, "an integer", v) }
        out = Int(d)
    }

    func double(_ key: String, _ out: inout Double) throws {
        guard let v = present(key) else { return }
        guard let d = number(v) else { throw wrongType(key, "a number", v) }
        out = d
    }

    func bool(_ key: String, _ out: inout Bool) throws {
        guard let v = present(key) else { return }
        if let b = v as? Bool { out = b; return }
        guard let n = v as? NSNumber else { throw wrongType(key, "true or false", v) }
        out = n.boolValue
    }

    func string(_ key: String, _ out: inout String) throws {
        guard let v = present(key) else { return }
        guard let s = v as? String else { throw wrongType(key, "a string", v) }
        out = s
    }

    func doubles(_ key: String, _ out: inout [Double]?) throws {
        guard let v = present(key) else { return }
        guard let a = v as? [Any] else { throw wrongType(key, "a list of numbers", v) }
        var values: [Double] = []
        values.reserveCapacity(a.count)
        for x in a {
            guard let d = number(x) else { throw wrongType(key, "a list of numbers", x) }
            values.append(d)
        }
        out = values
    }
}
