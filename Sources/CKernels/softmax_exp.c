// Attention's softmax passes in AVX2+FMA (Swift's SIMD8 compiles to two SSE halves without FMA on this target):
// the row maximum, then e^(x − max) written back with its sum. Portable scalar loops where AVX2 is missing.
#include "softmax_exp.h"
#include "softmax_exp8.h"

#include <math.h>

#if LDMP_X86
__attribute__((target("avx2,fma")))
static float row_max_avx2(const float *x, size_t n) {
    __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
    }
    for (; i + 8 <= n; i += 8) m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
    m0 = _mm256_max_ps(m0, m1);
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m0), _mm256_extractf128_ps(m0, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    float m = _mm_cvtss_f32(h);
    for (; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

__attribute__((target("avx2,fma")))
static float exp_shift_sum_avx2(const float *src, float *dst, size_t n, float shift) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a = ldmp_exp8(_mm256_sub_ps(_mm256_loadu_ps(src + i), s));
        __m256 b = ldmp_exp8(_mm256_sub_ps(_mm256_loadu_ps(src + i + 8), s));
        _mm256_storeu_ps(dst + i, a);
        _mm256_storeu_ps(dst + i + 8, b);
        acc0 = _mm256_add_ps(acc0, a);
        acc1 = _mm256_add_ps(acc1, b);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 a = ldmp_exp8(_mm256_sub_ps(_mm256_loadu_ps(src + i), s));
        _mm256_storeu_ps(dst + i, a);
        acc0 = _mm256_add_ps(acc0, a);
    }
    if (i < n) {
        float tail[8], out[8];
        for (int j = 0; j < 8; j++) tail[j] = i + j < n ? src[i + j] : -INFINITY;
        __m256 a = ldmp_exp8(_mm256_sub_ps(_mm256_loadu_ps(tail), s));
        _mm256_storeu_ps(out, a);
        for (size_t j = 0; i + j < n; j++) dst[i + j] = out[j];
        acc0 = _mm256_add_ps(acc0, a);
    }
    acc0 = _mm256_add_ps(acc0, acc1);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc0), _mm256_extractf128_ps(acc0, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}
#endif

LDMP_PORTABLE static float row_max_portable(const float *x, size_t n) {
    float m = -INFINITY;
    for (size_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

LDMP_PORTABLE static float exp_shift_sum_portable(const float *src, float *dst, size_t n, float shift) {
    float sum = 0;
    for (size_t i = 0; i < n; i++) {
        dst[i] = ldmp_exp1(src[i] - shift);
        sum += dst[i];
    }
    return sum;
}

int ldmp_softmax_uses_avx2(void) { return ldmp_has_avx2_fma(); }

float ldmp_row_max(const float *x, size_t n) {
#if LDMP_X86
    if (ldmp_has_avx2_fma()) return row_max_avx2(x, n);
#endif
    return row_max_portable(x, n);
}

float ldmp_exp_shift_sum(const float *src, float *dst, size_t n, float shift) {
#if LDMP_X86
    if (ldmp_has_avx2_fma()) return exp_shift_sum_avx2(src, dst, n, shift);
#endif
    return exp_shift_sum_portable(src, dst, n, shift);
}
