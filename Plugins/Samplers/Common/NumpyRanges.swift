// SamplerSupport — numpy's float64 ranges as diffusers' set_timesteps uses them, with numpy's rounding.
//
// Timestep plans are computed by numpy in float64 and then cast: `np.linspace` (i·step, the last element set
// to `stop`), `np.arange` with a float step (numpy fills start + i·delta where delta = (start + step) − start,
// not the step itself), `np.round` (half to even) and `np.interp`.
public enum NumpyRanges {
    /// np.linspace(start, stop, num) (endpoint=True) in float64.
    public static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        if count <= 0 { return [] }
        if count == 1 { return [start] }
        let div = Double(count - 1)
        let step = (stop - start) / div
        var y = (0..<count).map { Double($0) * step + start }
        y[count - 1] = stop
        return y
    }

    /// np.arange(start, stop, step) in float64 (numpy's fill: start + i·((start + step) − start)).
    public static func arange(_ start: Double, _ stop: Double, step: Double) -> [Double] {
        let length = Int(((stop - start) / step).rounded(.up))
        if length <= 0 { return [] }
        if length == 1 { return [start] }
        let delta = (start + step) - start
        var y = [start, start + step]
        for i in 2..<length { y.append(start + Double(i) * delta) }
        return y
    }

    /// np.round: half to even.
    public static func round(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }

    /// np.interp(x, 0..<fp.count, fp) for float64 x and fp given as float32 (numpy casts both to float64).
    /// x outside [0, count−1] clamps to the end values.
    public static func interpUnitGrid(_ x: Double, _ fp: [Float]) -> Double {
        let n = fp.count
        precondition(n > 0)
        if x <= 0 { return Double(fp[0]) }
        if x >= Double(n - 1) { return Double(fp[n - 1]) }
        let j = Int(x.rounded(.down))  // 0 ≤ j < n−1 with xp[j] ≤ x < xp[j+1]
        let xj = Double(j)
        if x == xj { return Double(fp[j]) }
        let slope = (Double(fp[j + 1]) - Double(fp[j])) / (Double(j + 1) - xj)
        return slope * (x - xj) + Double(fp[j])
    }
}
