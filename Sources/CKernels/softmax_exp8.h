// Internal: the 8-lane e^x the softmax and norm kernels share (AVX2+FMA), and the scalar form of the same
// polynomial for the portable paths. Beside the sources, not in include/: Swift never sees it.
#ifndef LDMP_SOFTMAX_EXP8_H
#define LDMP_SOFTMAX_EXP8_H

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LDMP_X86 1

/// The shared vector core of e^x, for any register width: PS is the intrinsics prefix (_mm256, _mm512), T the type,
/// x the argument already clamped to ≥ −87.33654. Declares t (x·log2e + 1.5·2²³, n in its low mantissa bits), n
/// (round(x·log2e)) and e (e^r, r = x − n·ln2, |r| ≤ ln2/2, degree-7 polynomial); e^x = e·2^n.
#define LDMP_EXP_CORE(PS, T, x, t, n, e)                                                    \
    T t = PS##_fmadd_ps(x, PS##_set1_ps(1.44269504088896341f), PS##_set1_ps(12582912.0f));  \
    T n = PS##_sub_ps(t, PS##_set1_ps(12582912.0f));                                         \
    T e;                                                                                     \
    {                                                                                        \
        T r_ = PS##_fnmadd_ps(n, PS##_set1_ps(0.693359375f), x);                             \
        r_ = PS##_fnmadd_ps(n, PS##_set1_ps(-2.12194440e-4f), r_);                           \
        T p_ = PS##_set1_ps(1.9875691500e-4f);                                               \
        p_ = PS##_fmadd_ps(p_, r_, PS##_set1_ps(1.3981999507e-3f));                          \
        p_ = PS##_fmadd_ps(p_, r_, PS##_set1_ps(8.3334519073e-3f));                          \
        p_ = PS##_fmadd_ps(p_, r_, PS##_set1_ps(4.1665795894e-2f));                          \
        p_ = PS##_fmadd_ps(p_, r_, PS##_set1_ps(1.6666665459e-1f));                          \
        p_ = PS##_fmadd_ps(p_, r_, PS##_set1_ps(5.0000001201e-1f));                          \
        e = PS##_fmadd_ps(p_, PS##_mul_ps(r_, r_), PS##_add_ps(r_, PS##_set1_ps(1.0f)));     \
    }

/// e^x per lane, Cephes-style: x = n·ln2 + r, |r| ≤ ln2/2, degree-7 polynomial, 2^n from the exponent bits.
/// x < −87.33654 gives exactly 0; NaN stays NaN.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 ldmp_exp8(__m256 x) {
    const __m256 lo = _mm256_set1_ps(-87.33654f);
    __m256 under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    x = _mm256_max_ps(lo, x);                                   // −inf → lo (masked to 0 below); NaN stays NaN
    LDMP_EXP_CORE(_mm256, __m256, x, t, n, e)
    (void)n;
    __m256i ti = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B400000));
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(ti, _mm256_set1_epi32(127)), 23));
    return _mm256_andnot_ps(under, _mm256_mul_ps(e, scale));
}

/// 1 when the CPU runs AVX2 and FMA (checked once).
static inline int ldmp_has_avx2_fma(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
    }
    return cached;
}
#define LDMP_PORTABLE __attribute__((target("no-avx2,no-avx,no-fma,no-f16c")))
#else
static inline int ldmp_has_avx2_fma(void) { return 0; }
#define LDMP_PORTABLE
#endif

/// The same polynomial on one float, for CPUs without AVX2.
LDMP_PORTABLE static inline float ldmp_exp1(float x) {
    if (x < -87.33654f) return 0.0f;                            // below range and −inf → 0; NaN flows on
    float t = x * 1.44269504088896341f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float e = p * (r * r) + r + 1.0f;
    int32_t ti;
    memcpy(&ti, &t, 4);
    int32_t bits = ((ti - 0x4B400000) + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return e * scale;
}

#endif
