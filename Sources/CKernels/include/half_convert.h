// IEEE binary16 <-> binary32 conversion for weights kept in half precision (widened right before use).
#ifndef LDMP_HALF_CONVERT_H
#define LDMP_HALF_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// dst[i] = (float)src[i] for i < n, exact (subnormals and infinities; a NaN stays NaN, quieted). src may be unaligned.
void ldmp_half_to_float(const uint16_t *src, float *dst, size_t n);

/// dst[i] = src[i] rounded to the nearest binary16 (ties to even; overflow to ±inf, NaN stays NaN).
void ldmp_float_to_half(const float *src, uint16_t *dst, size_t n);

/// 1 when the F16C path runs on this CPU, 0 when the portable loop does (tests print it).
int ldmp_half_uses_f16c(void);

#ifdef __cplusplus
}
#endif

#endif
