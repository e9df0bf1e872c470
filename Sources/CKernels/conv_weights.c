// Widening of half weights: F16C 8 at a time when present, else the exact bit-level conversion.
#include "conv_weights.h"
#include <string.h>
#include <immintrin.h>

float ldmp_conv_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);           // inf / NaN (payload kept)
    } else if (exp != 0) {
        bits = sign | ((exp + 112u) << 23) | (man << 13);  // normal: rebias 15 → 127
    } else if (man == 0) {
        bits = sign;                                       // ±0
    } else {
        // Subnormal half: shift the mantissa up until its leading 1 is the implicit bit.
        uint32_t e = 113u;
        while ((man & 0x400u) == 0) { man <<= 1; e--; }
        bits = sign | (e << 23) | ((man & 0x3ffu) << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

__attribute__((target("avx,f16c")))
static void widen_f16c(const uint16_t *src, int64_t n, float *dst) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(src + i));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
    }
    for (; i < n; i++) dst[i] = ldmp_conv_half_to_float(src[i]);
}

void ldmp_conv_widen(const void *src, int is_half, int64_t n, float *dst) {
    if (!is_half) {
        memcpy(dst, src, (size_t)n * sizeof(float));
        return;
    }
    const uint16_t *h = (const uint16_t *)src;
    if (__builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx")) {
        widen_f16c(h, n, dst);
        return;
    }
    for (int64_t i = 0; i < n; i++) dst[i] = ldmp_conv_half_to_float(h[i]);
}
