// Convolution weights read as float32 or IEEE half: widening for the paths that hand weights to sgemm.
#ifndef LDMP_CONV_WEIGHTS_H
#define LDMP_CONV_WEIGHTS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// dst[i] = src[i] for i < n, src float32 or IEEE half (`is_half`); F16C when the CPU has it.
void ldmp_conv_widen(const void *src, int is_half, int64_t n, float *dst);

/// One IEEE half as float32 (exact, subnormals, infinities and NaN included).
float ldmp_conv_half_to_float(uint16_t h);

#ifdef __cplusplus
}
#endif
#endif
