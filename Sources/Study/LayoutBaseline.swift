// Two references that use no activations, scored on every test image with the probe's metrics:
//   layout  the training images' mean label per pixel (a centre prior for foreground, a ground-plane prior for
//           depth). For a binary property the mean map is a probability and is thresholded as probe outputs are
//           (P(foreground) > 0.5, ties → background): it is passed to the metrics as logits (1 − m, m).
//   cap     binary properties only: the test image's own exact label averaged over each token's pixel block of
//           the token grid (h×w, the finest probed layer's), upsampled nearest as probe predictions are and
//           thresholded at 0.5 — the best a per-token prediction can reach. An upper reference, not a control.
// Both studies (stored and streamed) add the training labels here and measure the test images here, so they
// write the same `:layout` and `:cap` rows.
import PluginHost

public struct LayoutBaseline {
    let kinds: [LabelKind]
    /// Label size.
    let H: Int, W: Int
    /// Token grid of the cap (nil: no layer probed).
    let grid: (h: Int, w: Int)?
    /// Per property, the sum of the training labels [H·W] (double: summation order barely matters).
    var sums: [[Double]]
    var count = 0
    var cachedMeans: [[Float]]?

    init(kinds: [LabelKind], height: Int, width: Int, grid: (h: Int, w: Int)?) {
        self.kinds = kinds
        H = height
        W = width
        self.grid = grid
        sums = kinds.map { _ in [Double](repeating: 0, count: height * width) }
    }

    /// The finest [h, w] among activation shapes (each ending in h, w).
    static func finestGrid(_ shapes: [[Int]]) -> (h: Int, w: Int)? {
        shapes.filter { $0.count >= 2 }.map { (h: $0[$0.count - 2], w: $0[$0.count - 1]) }
            .max { $0.h * $0.w < $1.h * $1.w }
    }

    /// One training image's labels, one [H·W] per property.
    mutating func add(_ labels: [[Float]]) {
        for k in labels.indices { for i in labels[k].indices { sums[k][i] += Double(labels[k][i]) } }
        count += 1
        cachedMeans = nil
    }

    /// The mean map of property k (zeros before any training image).
    mutating func mean(_ k: Int) -> [Float] {
        if cachedMeans == nil {
            let c = Double(max(count, 1))
            cachedMeans = sums.map { s in s.map { Float($0 / c) } }
        }
        return cachedMeans![k]
    }

    /// The layout prediction of property k in the form the metrics take (binary: logits [2, H·W]).
    mutating func prediction(_ k: Int) -> [Float] {
        let m = mean(k)
        return kinds[k] == .binary ? m.map { 1 - $0 } + m : m
    }

    /// Metric values of the layout map against one test label of property k.
    mutating func measureLayout(_ k: Int, label: [Float]) -> [String: Double] {
        ProbeStudyResults.measure(kind: kinds[k], prediction: prediction(k), label: label)
    }

    /// Dice of the token-grid cap of a binary label; nil without a grid.
    func capDice(label: [Float]) -> Double? {
        grid.map { LayoutBaseline.capDice(label: label, height: H, width: W, grid: $0) }
    }

    /// Dice of the token-grid cap of a binary label [H·W] on a grid of h×w tokens.
    public static func capDice(label: [Float], height H: Int, width W: Int, grid g: (h: Int, w: Int)) -> Double {
        let rows = LayoutBaseline.nearestSources(input: g.h, output: H)
        let cols = LayoutBaseline.nearestSources(input: g.w, output: W)
        var sum = [Double](repeating: 0, count: g.h * g.w), n = [Int](repeating: 0, count: g.h * g.w)
        for y in 0..<H { for x in 0..<W {
            let t = rows[y] * g.w + cols[x]
            sum[t] += Double(label[y * W + x])
            n[t] += 1
        } }
        var logits = [Float](repeating: 0, count: 2 * H * W)
        for y in 0..<H { for x in 0..<W {
            let t = rows[y] * g.w + cols[x]
            let m = Float(sum[t] / Double(max(n[t], 1)))
            logits[y * W + x] = 1 - m
            logits[H * W + y * W + x] = m
        } }
        return Metrics.dice(logits: logits, label: label)
    }

    /// The token each output row (column) reads under PyTorch's nearest upsampling, as the linear probe does:
    /// identity, halving when doubling, else min(floor(i · (in/out as float32)), in − 1).
    static func nearestSources(input: Int, output: Int) -> [Int] {
        if input == output { return Array(0..<output) }
        if output == 2 * input { return (0..<output).map { $0 / 2 } }
        let scale = Float(input) / Float(output)
        return (0..<output).map { i in min(Int((Float(i) * scale).rounded(.down)), input - 1) }
    }
}
