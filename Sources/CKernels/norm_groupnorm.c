// GroupNorm passes, 8 lanes with FMA where the CPU has AVX2 (Swift's scalar float sums do not vectorise: strict
// order), portable loops otherwise. The exp is softmax_exp8.h's, shared with attention's softmax.
#include "norm_groupnorm.h"
#include "softmax_exp8.h"

enum { CHUNK = 1024 };

#if LDMP_X86
__attribute__((target("avx2,fma")))
static float hsum8(__m256 v) {
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}

/// Sum of (x[i] − c)^p for p = 1 (sq = 0) or 2 (sq = 1), float lanes per chunk, double across chunks.
__attribute__((target("avx2,fma")))
static double chunked_sum_avx2(const float *x, size_t n, float c, int sq) {
    const __m256 cv = _mm256_set1_ps(c);
    double total = 0;
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        size_t e = i0 + CHUNK < n ? i0 + CHUNK : n, i = i0;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0;
        for (; i + 16 <= e; i += 16) {
            __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), cv), d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), cv);
            if (sq) { a0 = _mm256_fmadd_ps(d0, d0, a0); a1 = _mm256_fmadd_ps(d1, d1, a1); }
            else { a0 = _mm256_add_ps(a0, d0); a1 = _mm256_add_ps(a1, d1); }
        }
        float s = hsum8(_mm256_add_ps(a0, a1));
        for (; i < e; i++) { float d = x[i] - c; s += sq ? d * d : d; }
        total += s;
    }
    return total;
}

__attribute__((target("avx2,fma")))
static void affine_silu_avx2(const float *src, float *dst, size_t n, float scale, float shift, int silu) {
    const __m256 sv = _mm256_set1_ps(scale), hv = _mm256_set1_ps(shift), one = _mm256_set1_ps(1.0f);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 y = _mm256_fmadd_ps(_mm256_loadu_ps(src + i), sv, hv);
        if (silu) y = _mm256_div_ps(y, _mm256_add_ps(one, ldmp_exp8(_mm256_xor_ps(y, sign))));
        _mm256_storeu_ps(dst + i, y);
    }
    for (; i < n; i++) {
        float y = src[i] * scale + shift;
        dst[i] = silu ? y / (1.0f + ldmp_exp1(-y)) : y;
    }
}
#endif

LDMP_PORTABLE static double chunked_sum_portable(const float *x, size_t n, float c, int sq) {
    double total = 0;
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        size_t e = i0 + CHUNK < n ? i0 + CHUNK : n;
        float s = 0;
        for (size_t i = i0; i < e; i++) { float d = x[i] - c; s += sq ? d * d : d; }
        total += s;
    }
    return total;
}

LDMP_PORTABLE static void affine_silu_portable(const float *src, float *dst, size_t n, float scale, float shift,
                                               int silu) {
    for (size_t i = 0; i < n; i++) {
        float y = src[i] * scale + shift;
        dst[i] = silu ? y / (1.0f + ldmp_exp1(-y)) : y;
    }
}

void ldmp_mean_m2(const float *x, size_t n, double *mean, double *m2) {
    if (n == 0) { *mean = 0; *m2 = 0; return; }
    double (*sum)(const float *, size_t, float, int) = chunked_sum_portable;
#if LDMP_X86
    if (ldmp_has_avx2_fma()) sum = chunked_sum_avx2;
#endif
    double mu = sum(x, n, 0.0f, 0) / (double)n;
    *mean = mu;
    *m2 = sum(x, n, (float)mu, 1);
}

void ldmp_affine_silu(const float *src, float *dst, size_t n, float scale, float shift, int silu) {
#if LDMP_X86
    if (ldmp_has_avx2_fma()) { affine_silu_avx2(src, dst, n, scale, shift, silu); return; }
#endif
    affine_silu_portable(src, dst, n, scale, shift, silu);
}
