// Half <-> float conversion: 8 lanes at a time with F16C where the CPU has it (checked once at run time), a
// portable bit-exact loop otherwise. Widening is the per-call cost of half residency, so it must run at memory speed.
#include "half_convert.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LDMP_X86 1
#endif

// Portable paths. Kept out of auto-vectorisation with AVX2 (the target is built with -mavx2): a CPU without it
// must still run them.
#if LDMP_X86
__attribute__((target("no-avx2,no-avx,no-fma,no-f16c")))
#endif
static float half_to_float_1(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13) | (mant ? 0x00400000u : 0u);   // NaN quieted, as F16C does
    } else if (exp == 0) {
        // zero or subnormal: mant · 2^-24, exact in float
        float m = (float)mant * 5.9604644775390625e-8f;
        memcpy(&bits, &m, 4);
        bits |= sign;
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

#if LDMP_X86
__attribute__((target("no-avx2,no-avx,no-fma,no-f16c")))
#endif
static uint16_t float_to_half_1(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return sign | 0x7e00u | (uint16_t)((ax >> 13) & 0x3ffu);   // NaN stays NaN (quiet)
    if (ax >= 0x477ff000u) return sign | 0x7c00u;                                    // rounds past 65504: inf
    if (ax < 0x38800000u) {
        // result subnormal or zero: round ax · 2^24 to an integer, ties to even (exact in float arithmetic)
        float a;
        memcpy(&a, &ax, 4);
        float scaled = a * 16777216.0f;
        uint32_t r = (uint32_t)scaled;
        float frac = scaled - (float)r;
        if (frac > 0.5f || (frac == 0.5f && (r & 1u))) r++;
        return sign | (uint16_t)r;
    }
    // normal: drop 13 mantissa bits with round to nearest even; a carry into the exponent is correct rounding
    uint32_t rounded = ax + 0xfffu + ((ax >> 13) & 1u);
    return sign | (uint16_t)((rounded - 0x38000000u) >> 13);
}

#if LDMP_X86
__attribute__((target("no-avx2,no-avx,no-fma,no-f16c")))
#endif
static void half_to_float_portable(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint16_t h;
        memcpy(&h, src + i, 2);
        dst[i] = half_to_float_1(h);
    }
}

#if LDMP_X86
__attribute__((target("no-avx2,no-avx,no-fma,no-f16c")))
#endif
static void float_to_half_portable(const float *src, uint16_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = float_to_half_1(src[i]);
}

#if LDMP_X86
__attribute__((target("avx,f16c")))
static void half_to_float_f16c(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(src + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(src + i + 8));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(a));
        _mm256_storeu_ps(dst + i + 8, _mm256_cvtph_ps(b));
    }
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    if (i < n) {
        uint16_t tail[8] = {0};
        float out[8];
        memcpy(tail, src + i, (n - i) * 2);
        _mm256_storeu_ps(out, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)tail)));
        memcpy(dst + i, out, (n - i) * 4);
    }
}

__attribute__((target("avx,f16c")))
static void float_to_half_f16c(const float *src, uint16_t *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128((__m128i *)(dst + i), h);
    }
    if (i < n) {
        float tail[8] = {0};
        uint16_t out[8];
        memcpy(tail, src + i, (n - i) * 4);
        _mm_storeu_si128((__m128i *)out, _mm256_cvtps_ph(_mm256_loadu_ps(tail), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        memcpy(dst + i, out, (n - i) * 2);
    }
}

static int has_f16c(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c") ? 1 : 0;
    }
    return cached;
}
#else
static int has_f16c(void) { return 0; }
#endif

int ldmp_half_uses_f16c(void) { return has_f16c(); }

void ldmp_half_to_float(const uint16_t *src, float *dst, size_t n) {
#if LDMP_X86
    if (has_f16c()) { half_to_float_f16c(src, dst, n); return; }
#endif
    half_to_float_portable(src, dst, n);
}

void ldmp_float_to_half(const float *src, uint16_t *dst, size_t n) {
#if LDMP_X86
    if (has_f16c()) { float_to_half_f16c(src, dst, n); return; }
#endif
    float_to_half_portable(src, dst, n);
}
