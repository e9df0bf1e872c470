// How conv2d computes a convolution; `auto` picks per shape, the others force a path (tests, micro-benchmarks).

/// The kernel behind `Tensor.conv2d`.
public enum Conv2DAlgorithm: Equatable {
    /// Winograd F(2×2, 3×3) for 3×3 stride-1 convolutions on maps with enough tiles, im2col + sgemm otherwise.
    case auto
    /// im2col (in tiles of output rows for big maps) + OpenBLAS sgemm: every shape.
    case im2col
    /// Winograd F(2×2, 3×3): 3×3 stride-1 only (others fall back to im2col).
    case winograd
    /// Winograd in chunks of at most `tiles` 2×2 output tiles and blocks of at most `outChannels` output channels
    /// (tests: chunks that end inside a tile row or a sample).
    case winogradBlocked(tiles: Int, outChannels: Int)
    /// Winograd within `floats` of scratch instead of the default budget (tests, micro-benchmarks).
    case winogradBudget(floats: Int)
}
