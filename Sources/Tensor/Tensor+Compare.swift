// Comparisons for tests and parity checks. Swift.max(m, d) keeps m when d is NaN, so a maxdiff built on it lets
// an all-NaN output pass; everything here propagates NaN instead, so that a NaN anywhere fails `≤ tolerance`.

extension FloatingPoint {
    /// The larger of the two, or NaN when either is NaN (a running maximum stays NaN once it has seen one).
    @inlinable
    public func nanAwareMax(_ other: Self) -> Self {
        isNaN || other.isNaN ? .nan : Swift.max(self, other)
    }
}

extension Tensor {
    /// Largest absolute elementwise difference; NaN if either side holds a NaN, +∞ if the counts differ.
    public func maxAbsDiff(_ other: Tensor) -> Float {
        Tensor.maxAbsDiff(data, other.data)
    }

    /// Largest absolute element (tests: the output's scale); NaN if any element is NaN.
    public var maxAbs: Float { data.reduce(0) { $0.nanAwareMax(abs($1)) } }

    /// Largest |a[i] − b[i]|; NaN if either side holds a NaN, +∞ if the counts differ (both fail `≤ tolerance`).
    public static func maxAbsDiff<T: FloatingPoint>(_ a: [T], _ b: [T]) -> T {
        guard a.count == b.count else { return .infinity }
        var m: T = 0
        for i in 0..<a.count { m = m.nanAwareMax(abs(a[i] - b[i])) }
        return m
    }
}
