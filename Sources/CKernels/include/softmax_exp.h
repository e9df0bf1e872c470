// Softmax building blocks for attention rows: row maximum and e^(x − shift) with its sum, 8 lanes with FMA.
#ifndef LDMP_SOFTMAX_EXP_H
#define LDMP_SOFTMAX_EXP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Largest of x[0..n) (−inf for n = 0).
float ldmp_row_max(const float *x, size_t n);

/// dst[i] = e^(src[i] − shift) for i < n (src may equal dst); returns their sum. Relative error ≤ 2 ulp over the
/// normal range; arguments below −87.3 (−inf included) give exactly 0.
float ldmp_exp_shift_sum(const float *src, float *dst, size_t n, float shift);

/// 1 when the AVX2+FMA paths run on this CPU, 0 when the portable loops do.
int ldmp_softmax_uses_avx2(void);

#ifdef __cplusplus
}
#endif

#endif
