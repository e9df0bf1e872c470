// Winograd F(2×2, 3×3) transforms for 3×3 stride-1 convolutions on NCHW float32 maps (Lavin & Gray 2015).
// The caller runs the 16 products M[ξ] = U[ξ] · V[ξ] (one GEMM per point ξ of the 4×4 tile) between the transforms
// and splits the work across threads by the channel / tile ranges each function takes.
#ifndef LDMP_CONV_WINOGRAD_H
#define LDMP_CONV_WINOGRAD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Geometry of one convolution: input [batch, channels, height, width], output tiles of 2×2, `pad_top` /
/// `pad_left` zero rows/columns before the input (the rest follows from the output size).
/// `upsampled` 1: the input is the nearest ×2 upsampling of the map x holds, [batch, channels, height / 2,
/// width / 2] (height and width even), read as if it were materialised (diffusers Upsample2D without the copy).
typedef struct {
    int32_t batch, channels, height, width;
    int32_t out_height, out_width;
    int32_t pad_top, pad_left;
    int32_t tiles_h, tiles_w;   // ceil(out_height / 2), ceil(out_width / 2)
    int32_t upsampled;          // 0 or 1
} ldmp_wino_geometry;

/// Input transform Bᵀ d B of tiles t0 ..< t0 + tn (tile t = (sample · tiles_h + ty) · tiles_w + tx) for channels
/// c0 ..< c1: v[ξ · ld + (c − c0) · tn + (t − t0)], ξ = 4 · row + column of the transformed tile.
void ldmp_wino_input(const float *x, const ldmp_wino_geometry *g, int64_t t0, int64_t tn,
                     int32_t c0, int32_t c1, float *v, int64_t ld);

/// Weight transform G w Gᵀ for output channels o0 ..< o1 of w [O, channels, 3, 3], read as float32 or as IEEE
/// half (`is_half`): u[ξ · ld + (o − o0) · channels + c].
void ldmp_wino_weights(const void *w, int is_half, int32_t channels, int32_t o0, int32_t o1, float *u, int64_t ld);

/// Output transform Aᵀ m A of tiles t0 ..< t0 + tn for output channels o0 ..< o1, m[ξ · ld + (o − o0) · tn + t − t0]:
/// writes y [batch, out_channels, out_height, out_width] (only the rows and columns that exist), adding bias[o] when
/// bias is not NULL.
void ldmp_wino_output(const float *m, int64_t ld, const ldmp_wino_geometry *g, int64_t t0, int64_t tn,
                      int32_t o0, int32_t o1, int32_t out_channels, const float *bias, float *y);

#ifdef __cplusplus
}
#endif
#endif
