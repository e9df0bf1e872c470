// SamplerTests — the reference runs recorded by tools/make_scheduler_fixtures.py (diffusers 0.42.1).
import FileFormats
import Foundation

struct SchedulerFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let scheduler: String
        let config: String?
        let params: [String: String]
        let steps: Int
        let call_count: Int
        let timesteps: [Double]
        let init_noise_sigma: Double
        let alphas_cumprod: String
        let sample: String
        let model_outputs: String
        let prev_samples: String
        let noise: String?
        let pred_original: String?
        let sigmas: String?
        let scaled_inputs: String?
        let lms_coefficients: [[Double]]?
    }
    let versions: [String: String]
    let sd14_config: String
    let cases: [Case]

    static let folder: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schedulers")

    static func load() throws -> SchedulerFixture {
        let data = try Data(contentsOf: folder.appendingPathComponent("cases.json"))
        return try JSONDecoder().decode(SchedulerFixture.self, from: data)
    }

    /// An .npy of the fixture as (shape, float32 values).
    static func array(_ name: String) throws -> (shape: [Int], values: [Float]) {
        try NpyArray.readFloats(folder.appendingPathComponent(name))
    }
}

/// max |a − b| and the same relative to max |b| (the reference).
struct Diff: CustomStringConvertible {
    var maxAbs: Float = 0
    var maxRef: Float = 0
    var rel: Float { maxRef > 0 ? maxAbs / maxRef : maxAbs }

    mutating func add(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) {
        var m: Float = 0, r: Float = 0
        for (x, y) in zip(a, b) {
            m = Diff.worse(m, abs(x - y))  // a NaN on either side makes it NaN, which fails every tolerance
            r = max(r, abs(y))
        }
        maxAbs = Diff.worse(maxAbs, m)
        maxRef = max(maxRef, r)
    }

    /// The running worst of two differences; NaN stays NaN (Swift.max would drop it).
    static func worse(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : max(a, b) }

    /// Worst relative difference of one comparison (so later large values don't hide early small ones).
    static func rel(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
        var d = Diff()
        d.add(a, b)
        return d.rel
    }

    var description: String { String(format: "maxdiff %.3g (max |ref| %.3g, rel %.3g)", maxAbs, maxRef, rel) }
}
