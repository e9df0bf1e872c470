// Group normalisation's passes in AVX2+FMA: statistics of one (sample, group) block, then the per-channel affine
// map fused with SiLU, reading the input and writing the output once (no copy of the input first).
#ifndef LDMP_NORM_GROUPNORM_H
#define LDMP_NORM_GROUPNORM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Mean of x[0..n) and the sum of squared deviations from it (two passes; 8-lane float partial sums over
/// chunks of 1024, accumulated in double).
void ldmp_mean_m2(const float *x, size_t n, double *mean, double *m2);

/// dst[i] = y or silu(y) = y / (1 + e^−y), y = src[i] · scale + shift. src may equal dst.
void ldmp_affine_silu(const float *src, float *dst, size_t n, float scale, float shift, int silu);

#ifdef __cplusplus
}
#endif

#endif
