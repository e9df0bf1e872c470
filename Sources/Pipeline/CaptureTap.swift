// The bridge between the UNet's tap API (Models.ActivationTap: asked once per path, then handed [B, …] tensors)
// and the pipeline's consumers: it splits the CFG batch into branches, turns attention tokens [h·w, C] into
// feature maps [C, h, w], and hands each consumer the (path, branch) pairs it asked for.
import Models
import Tensor

/// Routes UNet activations to consumers. Set `imageID`, `call` and `timestep` before each UNet call.
public final class CaptureTap: ActivationTap {
    /// Per capture path: the point and, per consumer index, the branches it wants.
    private var routes: [String: (point: CapturePoint, consumers: [(Int, Set<Branch>)])] = [:]
    private let consumers: [ActivationConsumer]
    /// True when the UNet batch is [uncond, cond]; false when only cond is computed (guidance ≤ 1).
    public var batchHasUncond = true
    public var imageID = ""
    public var call = 0
    public var timestep: Double = 0
    /// The first error a consumer threw during a UNet call (rethrown by the pipeline after the call).
    public private(set) var pendingError: Error?

    /// Asks each consumer once which of `available` it wants.
    public init(consumers: [ActivationConsumer], available: [CapturePoint]) {
        self.consumers = consumers
        let byPath = Dictionary(available.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        for (k, consumer) in consumers.enumerated() {
            let request = consumer.captureRequest(available: available)
            guard !request.branches.isEmpty else { continue }
            for path in request.paths {
                guard let point = byPath[path] else { continue }
                routes[path, default: (point, [])].consumers.append((k, request.branches))
            }
        }
    }

    /// The paths at least one consumer wants.
    public var wantedPaths: Set<String> { Set(routes.keys) }

    public func wants(_ path: String) -> Bool { routes[path] != nil }

    public func visit(_ path: String, _ activation: inout Tensor) {
        guard pendingError == nil, let route = routes[path] else { return }
        let point = route.point
        let batch = activation.shape[0]
        let per = activation.count / batch
        guard per == point.channels * point.height * point.width else {
            pendingError = PipelineError.shape(what: "activation at \(path)", expected: [batch] + point.featureShape,
                                               found: activation.shape)
            return
        }
        var cache: [Branch: [Float]] = [:]
        for (k, branches) in route.consumers {
            for branch in Branch.allCases where branches.contains(branch) { // uncond before cond
                let index: Int
                switch branch {
                case .uncond: guard batchHasUncond else { continue }; index = 0
                case .cond: index = batchHasUncond ? batch - 1 : 0
                }
                let values: [Float]
                if let cached = cache[branch] { values = cached } else {
                    values = Self.featureMap(activation, batchIndex: index, point: point)
                    cache[branch] = values
                }
                do {
                    try consumers[k].consume(CapturedActivation(imageID: imageID, point: point, call: call,
                                                                timestep: timestep, branch: branch, values: values))
                } catch {
                    pendingError = error
                    return
                }
            }
        }
    }

    /// Clears a reported error (after the pipeline rethrew it).
    public func reset() { pendingError = nil }

    /// Batch element `b` of an activation as [C, h, w]: tokens [h·w, C] are transposed, maps copied.
    public static func featureMap(_ x: Tensor, batchIndex b: Int, point: CapturePoint) -> [Float] {
        let c = point.channels, n = point.height * point.width
        let offset = b * c * n
        if !point.tokens {
            return Array(x.data[offset ..< offset + c * n])
        }
        var out = [Float](repeating: 0, count: c * n)
        x.data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                // src [n, c] → dst [c, n], in tiles for cache friendliness.
                let tile = 32
                for t0 in stride(from: 0, to: n, by: tile) {
                    let t1 = min(n, t0 + tile)
                    for ch in 0 ..< c {
                        for t in t0 ..< t1 { dst[ch * n + t] = src[offset + t * c + ch] }
                    }
                }
            }
        }
        return out
    }
}
