// Tiny stand-ins for the networks (a text encoder, a UNet with two capture points, a decoder) so that run-folder
// behaviour — resume, shards, merge, interruption — is tested in milliseconds with a real sampler plugin.
import FileFormats
import Foundation
import Models
import Pipeline
import PluginHost
import Tensor
import XCTest

final class MockTextEncoder: PromptEncoder {
    func encode(_ prompts: [String]) throws -> Tensor {
        // [B, 2, 3]: a few numbers derived from the text.
        var data: [Float] = []
        for p in prompts { data += (0 ..< 6).map { Float(p.utf8.count % 7) * 0.1 + Float($0) * 0.01 } }
        return Tensor(shape: [prompts.count, 2, 3], data: data)
    }
}

final class MockUNet: NoisePredictor {
    var tap: ActivationTap?
    var calls = 0
    let points = [
        CapturePoint(path: "down_blocks.0.attentions.0.transformer_blocks.0.attn1", channels: 3, height: 2, width: 2, tokens: true),
        CapturePoint(path: "mid_block", channels: 5, height: 2, width: 2, tokens: false),
    ]
    var latentChannels: Int { 4 }
    func attach(_ tap: ActivationTap?) { self.tap = tap }
    func capturePoints(latentHeight h: Int, latentWidth w: Int) -> [CapturePoint] { points }

    func predictNoise(_ sample: Tensor, timestep: Float, context: Tensor) throws -> Tensor {
        calls += 1
        let b = sample.shape[0]
        if let tap {
            // Token activation [B, h·w, C] with value = 1000·b + 10·token + channel: the transpose is checkable.
            if tap.wants(points[0].path) {
                var values = [Float](repeating: 0, count: b * 12)
                for i in 0 ..< b * 12 {
                    let batch = i / 12, token = (i % 12) / 3, channel = i % 3
                    values[i] = Float(1000 * batch + 10 * token + channel)
                }
                var a = Tensor(shape: [b, 4, 3], data: values)
                tap.visit(points[0].path, &a)
            }
            if tap.wants(points[1].path) {
                var mv = [Float](repeating: 0, count: b * 20)
                for i in 0 ..< b * 20 { mv[i] = Float(i) + timestep }
                var m = Tensor(shape: [b, 5, 2, 2], data: mv)
                tap.visit(points[1].path, &m)
            }
        }
        let c: Float = context.data.reduce(0, +)
        var out = [Float](repeating: 0, count: sample.count)
        let half = sample.count / b
        for i in 0 ..< sample.count {
            let condShift: Float = i >= half ? 0.05 : 0
            out[i] = 0.1 * sample.data[i] + 0.01 * c + condShift
        }
        return Tensor(shape: sample.shape, data: out)
    }
}

final class MockDecoder: LatentDecoder {
    func decode(_ latents: Tensor) throws -> Tensor {
        let h = latents.shape[2] * 8, w = latents.shape[3] * 8
        let m = latents.data.reduce(0, +) / Float(latents.count)
        var out = [Float](repeating: 0, count: 3 * h * w)
        for i in 0 ..< out.count { out[i] = tanhf(m + Float(i % 7) * 0.1) }
        return Tensor(shape: [1, 3, h, w], data: out)
    }
}

/// Throws at a chosen (image, call) to simulate an interrupted run.
final class Interrupter: StepObserver {
    let imageID: String, call: Int
    init(imageID: String, call: Int) { self.imageID = imageID; self.call = call }
    struct Interrupted: Error {}
    func stepDidFinish(_ step: StepEvent) throws {
        if step.context.job.id == imageID && step.call == call { throw Interrupted() }
    }
}

enum Plugins {
    /// The plugin registry of the test binary's folder (where SwiftPM builds the lib*.so plugins).
    /// A missing plugin is a failure, never a skip: the plugins are built with the tests.
    static let discovered = Result { try PluginRegistry.discover(extraPaths: [], useEnvironment: false) }

    static func registry() throws -> PluginRegistry {
        do { return try discovered.get() } catch {
            XCTFail("no plugin registry next to the test binary: \(error) (build it: swift build -c release --build-tests)" )
            throw error
        }
    }

    static func sampler(_ spec: String) throws -> SamplerPlugin {
        do { return try registry().sampler(spec: spec) } catch {
            XCTFail("sampler plugin '\(spec)' not loadable next to the test binary: \(error) (build it: swift build -c release --build-tests)")
            throw error
        }
    }

    static func probe(_ spec: String) throws -> ProbePlugin {
        do { return try registry().probe(spec: spec) } catch {
            XCTFail("probe plugin '\(spec)' not loadable next to the test binary: \(error) (build it: swift build -c release --build-tests)")
            throw error
        }
    }
}

extension XCTestCase {
    func mockRun(folder: URL, jobs: [ImageJob], shard: ShardSpec = .all, resume: Bool = false, steps: Int = 4,
                 observers: [StepObserver] = [], unet: MockUNet = MockUNet(),
                 branches: BranchSelection = .both,
                 activationDType: NpyDType = .float32) throws -> (GenerationRun, MockUNet) {
        let pipeline = try DiffusionPipeline(
            textEncoder: MockTextEncoder(), unet: unet, decoder: MockDecoder(), scalingFactor: 0.18215,
            sampler: try Plugins.sampler("ddim"), schedulerConfigJSON: nil,
            settings: GenerationSettings(steps: steps, guidance: 7.5, height: 16, width: 16))
        var options = RunOptions(jobs: jobs)
        options.shard = shard
        options.resume = resume
        options.capturePatterns = ["*"]
        options.branches = branches
        options.activationDType = activationDType
        options.saveLatents = true
        options.saveIntermediates = "both"
        let run = try GenerationRun(pipeline: pipeline, folder: RunFolder(folder), options: options,
                                    model: .init(path: "/mock", weightsHash: "0123456789abcdef", files: []),
                                    samplerName: "ddim", samplerVersion: "test", samplerParameters: [:],
                                    vaeScalingFactor: 0.18215)
        return (run, unet)
    }
}
