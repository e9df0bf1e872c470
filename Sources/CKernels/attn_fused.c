// Fused attention (see attn_fused.h). Per block of `rows` queries: Q·Kᵀ in 6 × 64 register tiles against Kᵀ packed
// once per call into [tk/64][d][64] panels, row max and e^(alpha·(s − max)) with its sum in 16 lanes (the polynomial of
// softmax_exp8.h, so results match the AVX2 softmax), then P·V in R × 16W tiles over V's rows packed densely (the
// last 16-lane vector of a head masked), scaled by 1/sum on the way out. AVX-512F only; callers check
// ldmp_attn_fused_supported() and fall back to the sgemm path.
#include "attn_fused.h"
#include "softmax_exp8.h"

#include <math.h>

#define PANEL 64   // keys per packed Kᵀ panel: 4 vectors of 16
#define QK_R 6     // query rows per Q·Kᵀ tile (6 × 4 accumulators)

int ldmp_attn_fused_supported(void) {
#if LDMP_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && ldmp_has_avx2_fma();
    }
    return cached;
#else
    return 0;
#endif
}

size_t ldmp_attn_fused_rows(size_t tk) {
    // About 256 KB of scores per block (L2 holds them beside a Kᵀ panel and V's rows), 24 to 96 rows.
    size_t r = (65536 / (tk ? tk : 1)) / 24 * 24;
    return r < 24 ? 24 : r > 96 ? 96 : r;
}

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

size_t ldmp_attn_fused_scratch(size_t tk, size_t d, size_t rows) {
    size_t tkp = round_up(tk, PANEL);
    return tkp * d + tk * d + rows * tkp + rows * d + rows + 16;
}

#if LDMP_X86
#define A512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define A512_INLINE __attribute__((target("avx512f,avx512vl,avx2,fma"), always_inline)) static inline

/// ldmp_exp8's e^x in 16 lanes: the same rounding and polynomial, 2^n applied by vscalefps. Below −87.33654
/// it returns e^−87.33654 (≈ 1e-38) instead of 0 (the caller masks lanes past a row); NaN stays NaN.
A512_INLINE __m512 exp16(__m512 x) {
    x = _mm512_max_ps(_mm512_set1_ps(-87.33654f), x);
    LDMP_EXP_CORE(_mm512, __m512, x, t, n, e)
    (void)t;
    return _mm512_scalef_ps(e, n);
}

static inline __mmask16 tail_mask(size_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

/// Softmax numerator of one row of raw scores q·k in place: e^(alpha·s − alpha·max) over n keys (one FMA
/// scales and shifts), zeros up to `zero_to`; returns 1/sum (0 for an empty or all-zero row).
A512 static float softmax_row(float *s, size_t n, size_t zero_to, float alpha) {
    const __m512 ninf = _mm512_set1_ps(alpha >= 0 ? -INFINITY : INFINITY);
    __m512 m = ninf;
    if (alpha >= 0)
        for (size_t i = 0; i < n; i += 16) m = _mm512_max_ps(m, _mm512_mask_loadu_ps(ninf, tail_mask(n - i), s + i));
    else
        for (size_t i = 0; i < n; i += 16) m = _mm512_min_ps(m, _mm512_mask_loadu_ps(ninf, tail_mask(n - i), s + i));
    float mx = alpha * (alpha >= 0 ? _mm512_reduce_max_ps(m) : _mm512_reduce_min_ps(m));
    if (n == 0 || isinf(mx)) mx = 0;   // empty row: stays zero
    const __m512 a = _mm512_set1_ps(alpha), shift = _mm512_set1_ps(mx);
    __m512 acc = _mm512_setzero_ps();
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 k = tail_mask(n - i);
        __m512 e = exp16(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(k, s + i), a, shift));
        _mm512_mask_storeu_ps(s + i, k, e);
        acc = _mm512_mask_add_ps(acc, k, acc, e);
    }
    for (size_t i = n; i < zero_to; i++) s[i] = 0;
    float sum = _mm512_reduce_add_ps(acc);
    return sum > 0 ? 1 / sum : 0;
}

/// s[QK_R rows, 64] (row stride lds) = qp[QK_R, d] · panel[d][64] (softmax_row applies the scale).
A512 static void qk_tile(const float *qp, size_t d, const float *panel, float *s, size_t lds) {
    __m512 acc[QK_R][4];
    for (int r = 0; r < QK_R; r++)
        for (int w = 0; w < 4; w++) acc[r][w] = _mm512_setzero_ps();
    for (size_t p = 0; p < d; p++) {
        const float *b = panel + p * PANEL;
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
        __m512 b2 = _mm512_loadu_ps(b + 32), b3 = _mm512_loadu_ps(b + 48);
        for (int r = 0; r < QK_R; r++) {
            __m512 a = _mm512_set1_ps(qp[r * d + p]);
            acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
            acc[r][2] = _mm512_fmadd_ps(a, b2, acc[r][2]);
            acc[r][3] = _mm512_fmadd_ps(a, b3, acc[r][3]);
        }
    }
    for (int r = 0; r < QK_R; r++)
        for (int w = 0; w < 4; w++) _mm512_storeu_ps(s + r * lds + 16 * w, acc[r][w]);
}

/// o[valid rows, 16W] = (s[R, n] · v[n, 16W]) · inv[r]; v's vector W−1 and o's stores masked by `last`. HALF:
/// that vector has at most 8 lanes (d = 40: 2.5 vectors) and runs in 256 bits, half the FMA work of a masked one.
A512_INLINE void pv_tile(const float *s, size_t lds, size_t n, const float *v, size_t ldv, __mmask16 last,
                         const float *inv, float *o, size_t ldo, size_t valid, const int R, const int W,
                         const int HALF) {
    const int WF = HALF ? W - 1 : W;   // full-width vectors
    __m512 acc[12][5];
    __m256 acch[12];
    for (int r = 0; r < R; r++) {
        for (int w = 0; w < WF; w++) acc[r][w] = _mm512_setzero_ps();
        acch[r] = _mm256_setzero_ps();
    }
    for (size_t j = 0; j < n; j++) {
        __m512 b[5];
        __m256 bh = _mm256_setzero_ps();
        for (int w = 0; w < WF; w++)
            b[w] = _mm512_maskz_loadu_ps(w == W - 1 ? last : (__mmask16)0xFFFF, v + j * ldv + 16 * w);
        if (HALF) bh = _mm256_maskz_loadu_ps((__mmask8)last, v + j * ldv + 16 * WF);
        for (int r = 0; r < R; r++) {
            __m512 a = _mm512_set1_ps(s[r * lds + j]);
            for (int w = 0; w < WF; w++) acc[r][w] = _mm512_fmadd_ps(a, b[w], acc[r][w]);
            if (HALF) acch[r] = _mm256_fmadd_ps(_mm512_castps512_ps256(a), bh, acch[r]);
        }
    }
    for (int r = 0; r < R; r++) {
        if ((size_t)r >= valid) break;
        __m512 f = _mm512_set1_ps(inv[r]);
        for (int w = 0; w < WF; w++)
            _mm512_mask_storeu_ps(o + r * ldo + 16 * w, w == W - 1 ? last : (__mmask16)0xFFFF,
                                  _mm512_mul_ps(acc[r][w], f));
        if (HALF)
            _mm256_mask_storeu_ps(o + r * ldo + 16 * WF, (__mmask8)last,
                                  _mm256_mul_ps(acch[r], _mm512_castps512_ps256(f)));
    }
}

#define PV_ARGS const float *s, size_t lds, size_t n, const float *v, size_t ldv, __mmask16 last, \
                const float *inv, float *o, size_t ldo, size_t valid
#define PV_KERNEL(R, W, H) A512 static void pv_##R##x##W##_##H(PV_ARGS) \
    { pv_tile(s, lds, n, v, ldv, last, inv, o, ldo, valid, R, W, H); }
PV_KERNEL(12, 1, 0)
PV_KERNEL(12, 2, 0)
PV_KERNEL(8, 3, 0)
PV_KERNEL(6, 4, 0)
PV_KERNEL(4, 5, 0)
PV_KERNEL(12, 1, 1)
PV_KERNEL(12, 2, 1)
PV_KERNEL(8, 3, 1)
PV_KERNEL(6, 4, 1)
PV_KERNEL(4, 5, 1)

typedef void (*pv_fn)(PV_ARGS);
static const pv_fn pv_kernels[2][6] = {{0, pv_12x1_0, pv_12x2_0, pv_8x3_0, pv_6x4_0, pv_4x5_0},
                                       {0, pv_12x1_1, pv_12x2_1, pv_8x3_1, pv_6x4_1, pv_4x5_1}};
static const int pv_rows[6] = {0, 12, 12, 8, 6, 4};   // all divide 24

A512 static void fused_head(const float *q, const float *k, const float *v, float *o, size_t ld, size_t nq,
                            size_t q0, size_t tk, size_t d, float alpha, int causal, size_t rows, float *scratch) {
    const size_t tkp = round_up(tk, PANEL);
    float *kt = scratch;              // [tkp/64][d][64] Kᵀ panels, zero keys past tk
    float *vp = kt + tkp * d;         // [tk, d] V rows packed densely (a head's rows of v lie c floats apart:
                                      // one key per 4 KB page at c = 1280, so P·V missed the TLB)
    float *s = vp + tk * d;           // [rows, tkp] scores, then e^(s − max)
    float *qp = s + rows * tkp;       // [rows, d] Q block, zero rows past nq
    float *inv = qp + rows * d;       // [rows] 1/sum
    for (size_t j0 = 0; j0 < tkp; j0 += PANEL) {
        float *panel = kt + j0 * d;
        for (size_t j = 0; j < PANEL; j++) {
            const float *kr = k + (j0 + j) * ld;
            if (j0 + j < tk) for (size_t p = 0; p < d; p++) panel[p * PANEL + j] = kr[p];
            else for (size_t p = 0; p < d; p++) panel[p * PANEL + j] = 0;
        }
    }
    for (size_t j = 0; j < tk; j++)
        for (size_t p = 0; p < d; p++) vp[j * d + p] = v[j * ld + p];
    const size_t dv = (d + 15) / 16;                 // 16-lane vectors per head row
    const int wchunk = dv <= 5 ? (int)dv : dv % 5 == 0 ? 5 : 4;
    const __mmask16 dlast = tail_mask(d - (dv - 1) * 16);
    for (size_t b0 = 0; b0 < nq; b0 += rows) {
        const size_t nb = nq - b0 < rows ? nq - b0 : rows;
        // Keys any row of this block sees (causal: up to its last query).
        size_t nmax = causal ? q0 + b0 + nb : tk;
        if (nmax > tk) nmax = tk;
        for (size_t r = 0; r < rows; r++)
            for (size_t p = 0; p < d; p++) qp[r * d + p] = r < nb ? q[(b0 + r) * ld + p] : 0;
        for (size_t j0 = 0; j0 < nmax; j0 += PANEL)
            for (size_t r0 = 0; r0 < nb; r0 += QK_R) qk_tile(qp + r0 * d, d, kt + j0 * d, s + r0 * tkp + j0, tkp);
        for (size_t r = 0; r < rows; r++) {
            size_t n = r >= nb ? 0 : causal ? q0 + b0 + r + 1 : tk;
            if (n > tk) n = tk;
            inv[r] = softmax_row(s + r * tkp, n, nmax, alpha);
        }
        for (size_t w0 = 0; w0 < dv; w0 += (size_t)wchunk) {
            const int w = dv - w0 < (size_t)wchunk ? (int)(dv - w0) : wchunk;
            const int rr = pv_rows[w];
            const __mmask16 last = w0 + (size_t)w == dv ? dlast : (__mmask16)0xFFFF;
            const int half = last <= 0xFF;
            for (size_t r0 = 0; r0 < nb; r0 += (size_t)rr)
                pv_kernels[half][w](s + r0 * tkp, tkp, nmax, vp + 16 * w0, d, last, inv + r0,
                              o + (b0 + r0) * ld + 16 * w0, ld, nb - r0);
        }
    }
}
#endif

void ldmp_attn_fused_head(const float *q, const float *k, const float *v, float *o, size_t ld, size_t nq,
                          size_t q0, size_t tk, size_t d, float alpha, int causal, size_t rows, float *scratch) {
#if LDMP_X86
    if (ldmp_attn_fused_supported()) {
        fused_head(q, k, v, o, ld, nq, q0, tk, d, alpha, causal, rows, scratch);
        return;
    }
#endif
    (void)q; (void)k; (void)v; (void)o; (void)ld; (void)nq; (void)q0; (void)tk; (void)d; (void)alpha;
    (void)causal; (void)rows; (void)scratch;
}
