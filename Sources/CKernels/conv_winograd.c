// Winograd F(2×2, 3×3): Bᵀ d B on 4×4 input tiles, G w Gᵀ on the 3×3 weights, Aᵀ m A back to 2×2 outputs.
// AVX2 runs 8 tiles of a row per vector: input tiles from a zero-padded copy of their 4 rows, weights 8 input channels
// at a time (16 with AVX-512, transposed by permutes instead of gathers), outputs where all 8 tiles' 2×2 outputs
// exist (the rest, and CPUs without AVX2/F16C, run scalar).
#include "conv_winograd.h"
#include "conv_weights.h"
#include <immintrin.h>
#include <stdlib.h>

static int have_avx2(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return cached;
}

static int have_avx512(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx512f");
    return cached;
}

// ---- input ----------------------------------------------------------------------------------------------------

/// One tile, any position: zero outside the image.
static void input_tile_scalar(const float *xc, const ldmp_wino_geometry *g, int ty, int tx, float *v, int64_t ld) {
    float d[4][4];
    const int up = g->upsampled ? 1 : 0, stored_w = g->width >> up;
    int iy0 = 2 * ty - g->pad_top, ix0 = 2 * tx - g->pad_left;
    for (int r = 0; r < 4; r++) {
        int iy = iy0 + r;
        for (int c = 0; c < 4; c++) {
            int ix = ix0 + c;
            d[r][c] = (iy >= 0 && iy < g->height && ix >= 0 && ix < g->width)
                ? xc[(int64_t)(iy >> up) * stored_w + (ix >> up)] : 0.f;
        }
    }
    float t[4][4];
    for (int c = 0; c < 4; c++) {
        t[0][c] = d[0][c] - d[2][c];
        t[1][c] = d[1][c] + d[2][c];
        t[2][c] = d[2][c] - d[1][c];
        t[3][c] = d[1][c] - d[3][c];
    }
    for (int r = 0; r < 4; r++) {
        v[(4 * r + 0) * ld] = t[r][0] - t[r][2];
        v[(4 * r + 1) * ld] = t[r][1] + t[r][2];
        v[(4 * r + 2) * ld] = t[r][2] - t[r][1];
        v[(4 * r + 3) * ld] = t[r][1] - t[r][3];
    }
}

/// Even and odd elements of p[0 ..< 16]: [p0 p2 … p14], [p1 p3 … p15].
__attribute__((target("avx2,fma")))
static inline void deinterleave(const float *p, __m256 *even, __m256 *odd) {
    __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
    __m256 e = _mm256_shuffle_ps(a, b, 0x88), o = _mm256_shuffle_ps(a, b, 0xDD);   // [a0 a2 b0 b2 | a4 a6 b4 b6]
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xD8));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), 0xD8));
}

/// Eight tiles of one tile row from its four input rows, zero-padded into rows[r][0 ..< wp] (column j = input column
/// j − pad_left): tile k reads columns 2k ..< 2k + 4 from `col`. v[ξ · ld + k].
__attribute__((target("avx2,fma")))
static void input_tiles8(const float *rows, int64_t wp, int col, float *v, int64_t ld) {
    __m256 d[4][4];
    for (int r = 0; r < 4; r++) {
        const float *row = rows + r * wp + col;
        deinterleave(row, &d[r][0], &d[r][1]);        // columns 2k, 2k + 1 of tile k
        deinterleave(row + 2, &d[r][2], &d[r][3]);    // columns 2k + 2, 2k + 3
    }
    __m256 t[4][4];
    for (int c = 0; c < 4; c++) {
        t[0][c] = _mm256_sub_ps(d[0][c], d[2][c]);
        t[1][c] = _mm256_add_ps(d[1][c], d[2][c]);
        t[2][c] = _mm256_sub_ps(d[2][c], d[1][c]);
        t[3][c] = _mm256_sub_ps(d[1][c], d[3][c]);
    }
    for (int r = 0; r < 4; r++) {
        _mm256_storeu_ps(v + (4 * r + 0) * ld, _mm256_sub_ps(t[r][0], t[r][2]));
        _mm256_storeu_ps(v + (4 * r + 1) * ld, _mm256_add_ps(t[r][1], t[r][2]));
        _mm256_storeu_ps(v + (4 * r + 2) * ld, _mm256_sub_ps(t[r][2], t[r][1]));
        _mm256_storeu_ps(v + (4 * r + 3) * ld, _mm256_sub_ps(t[r][1], t[r][3]));
    }
}

/// Tiles tx0 ..< tx1 of tile row ty of one channel plane xc, in AVX2: the four input rows are copied once into a
/// zero-padded buffer so borders and ragged ends run the same 8-tile code (a short last group goes via `tmp`).
/// An upsampled input is widened while copied: each stored element fills two columns, each stored row two rows.
static void input_row_avx(const float *xc, const ldmp_wino_geometry *g, int ty, int tx0, int tx1, float *v,
                          int64_t ld, float *rows, int64_t wp) {
    const int up = g->upsampled ? 1 : 0;
    for (int r = 0; r < 4; r++) {
        float *dst = rows + r * wp;
        int iy = 2 * ty - g->pad_top + r;
        for (int64_t j = 0; j < wp; j++) dst[j] = 0.f;
        if (iy < 0 || iy >= g->height) continue;
        // Only the columns these tiles read: 2·tx0 − left ..< 2·tx1 − left + 2.
        int lo = 2 * tx0 - g->pad_left, hi = 2 * tx1 - g->pad_left + 2;
        if (lo < 0) lo = 0;
        if (hi > g->width) hi = g->width;
        if (up) {
            const float *src = xc + (int64_t)(iy >> 1) * (g->width >> 1);
            for (int ix = lo; ix < hi; ix++) dst[ix + g->pad_left] = src[ix >> 1];
        } else {
            const float *src = xc + (int64_t)iy * g->width;
            for (int ix = lo; ix < hi; ix++) dst[ix + g->pad_left] = src[ix];
        }
    }
    int tx = tx0;
    for (; tx + 8 <= tx1; tx += 8) input_tiles8(rows, wp, 2 * tx, v + (tx - tx0), ld);
    if (tx < tx1) {
        float tmp[16 * 8];
        input_tiles8(rows, wp, 2 * tx, tmp, 8);
        for (int xi = 0; xi < 16; xi++)
            for (int k = 0; k < tx1 - tx; k++) v[xi * ld + (tx - tx0) + k] = tmp[xi * 8 + k];
    }
}

void ldmp_wino_input(const float *x, const ldmp_wino_geometry *g, int64_t t0, int64_t tn,
                     int32_t c0, int32_t c1, float *v, int64_t ld) {
    const int64_t per_sample = (int64_t)g->tiles_h * g->tiles_w;
    const int64_t plane = g->upsampled ? (int64_t)(g->height >> 1) * (g->width >> 1) : (int64_t)g->height * g->width;
    const int avx = have_avx2();
    // Padded row buffer: 2 · tiles_w + 2 columns read, rounded up so a short last group of 8 stays inside.
    const int64_t wp = 2 * ((int64_t)g->tiles_w + 8) + 2;
    float *rows = avx ? (float *)malloc((size_t)(4 * wp) * sizeof(float)) : NULL;
    for (int32_t c = c0; c < c1; c++) {
        float *vc = v + (int64_t)(c - c0) * tn;
        int64_t t = t0;
        while (t < t0 + tn) {
            int64_t s = t / per_sample, rest = t % per_sample;
            int ty = (int)(rest / g->tiles_w), tx = (int)(rest % g->tiles_w);
            int64_t run = g->tiles_w - tx;                  // tiles left in this tile row
            if (run > t0 + tn - t) run = t0 + tn - t;
            const float *xc = x + (s * g->channels + c) * plane;
            if (rows) {
                input_row_avx(xc, g, ty, tx, tx + (int)run, vc + (t - t0), ld, rows, wp);
            } else {
                for (int k = 0; k < run; k++) input_tile_scalar(xc, g, ty, tx + k, vc + (t - t0) + k, ld);
            }
            t += run;
        }
    }
    free(rows);
}

// ---- weights --------------------------------------------------------------------------------------------------

/// G k Gᵀ of one channel's 3×3 kernel k, stored at dst[ξ · ld]. The adds in the vector paths' order ((a + c) ± b),
/// so a channel's U does not depend on its position or the CPU.
static void weight_scalar(const float k[9], float *dst, int64_t ld) {
    // G k: rows g0, (g0 + g1 + g2)/2, (g0 − g1 + g2)/2, g2 — then the same along columns.
    float t[4][3];
    for (int j = 0; j < 3; j++) {
        float a = k[j], b = k[3 + j], c = k[6 + j], ac = a + c;
        t[0][j] = a;
        t[1][j] = 0.5f * (ac + b);
        t[2][j] = 0.5f * (ac - b);
        t[3][j] = c;
    }
    for (int r = 0; r < 4; r++) {
        float a = t[r][0], b = t[r][1], c = t[r][2], ac = a + c;
        dst[(4 * r + 0) * ld] = a;
        dst[(4 * r + 1) * ld] = 0.5f * (ac + b);
        dst[(4 * r + 2) * ld] = 0.5f * (ac - b);
        dst[(4 * r + 3) * ld] = c;
    }
}

/// G k Gᵀ on vectors of channels, k[9] (element j of each channel) → dst[ξ · ld]: one body for the AVX2 and AVX-512
/// paths, expanded with that width's vector type and ops, so both round exactly like weight_scalar.
#define WINO_WEIGHTS_OF_K(VEC, ADD, SUB, MUL, STORE, SET1, k, dst, ld)                                           \
    do {                                                                                                       \
        const VEC half_ = SET1(0.5f);                                                                          \
        VEC t_[4][3];                                                                                          \
        for (int j_ = 0; j_ < 3; j_++) {                                                                       \
            VEC a_ = (k)[j_], b_ = (k)[3 + j_], c_ = (k)[6 + j_], ac_ = ADD(a_, c_);                           \
            t_[0][j_] = a_;                                                                                    \
            t_[1][j_] = MUL(half_, ADD(ac_, b_));                                                              \
            t_[2][j_] = MUL(half_, SUB(ac_, b_));                                                              \
            t_[3][j_] = c_;                                                                                    \
        }                                                                                                      \
        for (int r_ = 0; r_ < 4; r_++) {                                                                       \
            VEC a_ = t_[r_][0], b_ = t_[r_][1], c_ = t_[r_][2], ac_ = ADD(a_, c_);                             \
            STORE((dst) + (4 * r_ + 0) * (ld), a_);                                                            \
            STORE((dst) + (4 * r_ + 1) * (ld), MUL(half_, ADD(ac_, b_)));                                      \
            STORE((dst) + (4 * r_ + 2) * (ld), MUL(half_, SUB(ac_, b_)));                                      \
            STORE((dst) + (4 * r_ + 3) * (ld), c_);                                                            \
        }                                                                                                      \
    } while (0)

/// Eight channels' kernels at once: src holds their 72 weights as stored ([8][9]); dst[ξ · ld + 0 ..< 8].
__attribute__((target("avx2,fma,f16c")))
static void weights8(const void *src, int is_half, float *dst, int64_t ld) {
    float buf[72];
    const float *f = (const float *)src;
    if (is_half) {
        for (int i = 0; i < 9; i++)
            _mm256_storeu_ps(buf + 8 * i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)src + i)));
        f = buf;
    }
    const __m256i idx = _mm256_setr_epi32(0, 9, 18, 27, 36, 45, 54, 63);
    __m256 k[9];
    for (int j = 0; j < 9; j++) k[j] = _mm256_i32gather_ps(f + j, idx, 4);   // element j of each channel
    WINO_WEIGHTS_OF_K(__m256, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_storeu_ps, _mm256_set1_ps,
                      k, dst, ld);
}

/// Stride-3 deinterleave of the 48 floats a ‖ b ‖ c: out[s][l] = (a ‖ b ‖ c)[3l + s]. Two permutes per output:
/// the first takes what lies in a ‖ b, the second the rest from c.
__attribute__((target("avx512f")))
static inline void deinterleave3(__m512 a, __m512 b, __m512 c, __m512 out[3]) {
    for (int s = 0; s < 3; s++) {
        int32_t i1[16], i2[16];
        for (int l = 0; l < 16; l++) {
            int k = 3 * l + s;
            i1[l] = k < 32 ? k : 0;
            i2[l] = k < 32 ? l : 16 + (k - 32);
        }
        __m512 ab = _mm512_permutex2var_ps(a, _mm512_loadu_si512(i1), b);
        out[s] = _mm512_permutex2var_ps(ab, _mm512_loadu_si512(i2), c);
    }
}

/// Sixteen channels' kernels at once, without gathers: their 144 weights ([16][9], element j = 3r + s) in nine
/// registers, deinterleaved by s (stride 3 over 48 (channel, r) triplets), then by r; then weights8's transform, so
/// U does not depend on the path. dst[ξ · ld + 0 ..< 16].
__attribute__((target("avx512f")))
static void weights16(const void *src, int is_half, float *dst, int64_t ld) {
    __m512 f[9];
    for (int i = 0; i < 9; i++)
        f[i] = is_half ? _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)src + i))
                       : _mm512_loadu_ps((const float *)src + 16 * i);
    __m512 bys[3][3];                                   // bys[g][s][l]: element s of triplet 16g + l = 3·ch + r
    for (int g = 0; g < 3; g++) deinterleave3(f[3 * g], f[3 * g + 1], f[3 * g + 2], bys[g]);
    __m512 k[9];
    for (int s = 0; s < 3; s++) {
        __m512 byr[3];                                  // byr[r][ch] = element 3r + s of channel ch
        deinterleave3(bys[0][s], bys[1][s], bys[2][s], byr);
        for (int r = 0; r < 3; r++) k[3 * r + s] = byr[r];
    }
    WINO_WEIGHTS_OF_K(__m512, _mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_storeu_ps, _mm512_set1_ps,
                      k, dst, ld);
}

void ldmp_wino_weights(const void *w, int is_half, int32_t channels, int32_t o0, int32_t o1, float *u, int64_t ld) {
    const int vec = have_avx2() && __builtin_cpu_supports("f16c");
    const int wide = vec && have_avx512();
    const size_t elem = is_half ? 2 : 4;
    for (int32_t o = o0; o < o1; o++) {
        float *dst = u + (o - o0) * (int64_t)channels;
        int32_t c = 0;
        for (; wide && c + 16 <= channels; c += 16)
            weights16((const char *)w + ((int64_t)o * channels + c) * 9 * elem, is_half, dst + c, ld);
        for (; vec && c + 8 <= channels; c += 8)
            weights8((const char *)w + ((int64_t)o * channels + c) * 9 * elem, is_half, dst + c, ld);
        for (; c < channels; c++) {
            float k[9];
            int64_t base = ((int64_t)o * channels + c) * 9;
            for (int i = 0; i < 9; i++)
                k[i] = is_half ? ldmp_conv_half_to_float(((const uint16_t *)w)[base + i]) : ((const float *)w)[base + i];
            weight_scalar(k, dst + c, ld);
        }
    }
}

// ---- output ---------------------------------------------------------------------------------------------------

static void output_tile_scalar(const float *m, int64_t ld, const ldmp_wino_geometry *g, int ty, int tx, float b,
                               float *yc) {
    float s0[4], s1[4];
    for (int c = 0; c < 4; c++) {
        float m0 = m[(0 + c) * ld], m1 = m[(4 + c) * ld], m2 = m[(8 + c) * ld], m3 = m[(12 + c) * ld];
        s0[c] = m0 + m1 + m2;
        s1[c] = m1 - m2 - m3;
    }
    float y[2][2] = {{s0[0] + s0[1] + s0[2], s0[1] - s0[2] - s0[3]},
                     {s1[0] + s1[1] + s1[2], s1[1] - s1[2] - s1[3]}};
    for (int r = 0; r < 2; r++) {
        int oy = 2 * ty + r;
        if (oy >= g->out_height) break;
        for (int c = 0; c < 2; c++) {
            int ox = 2 * tx + c;
            if (ox < g->out_width) yc[(int64_t)oy * g->out_width + ox] = y[r][c] + b;
        }
    }
}

/// Eight tiles whose 2×8 output columns and both rows exist.
__attribute__((target("avx2,fma")))
static void output_tiles8(const float *m, int64_t ld, const ldmp_wino_geometry *g, int ty, int tx, float b,
                          float *yc) {
    __m256 s0[4], s1[4];
    for (int c = 0; c < 4; c++) {
        __m256 m0 = _mm256_loadu_ps(m + (0 + c) * ld), m1 = _mm256_loadu_ps(m + (4 + c) * ld);
        __m256 m2 = _mm256_loadu_ps(m + (8 + c) * ld), m3 = _mm256_loadu_ps(m + (12 + c) * ld);
        s0[c] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
        s1[c] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
    }
    __m256 bv = _mm256_set1_ps(b);
    __m256 *rows[2] = {s0, s1};
    for (int r = 0; r < 2; r++) {
        __m256 *s = rows[r];
        __m256 y0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s[0], s[1]), s[2]), bv);   // column 2k
        __m256 y1 = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(s[1], s[2]), s[3]), bv);   // column 2k + 1
        __m256 lo = _mm256_unpacklo_ps(y0, y1), hi = _mm256_unpackhi_ps(y0, y1);         // [k0 k1 | k4 k5] pairs
        float *dst = yc + (int64_t)(2 * ty + r) * g->out_width + 2 * tx;
        _mm256_storeu_ps(dst, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(dst + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
}

void ldmp_wino_output(const float *m, int64_t ld, const ldmp_wino_geometry *g, int64_t t0, int64_t tn,
                      int32_t o0, int32_t o1, int32_t out_channels, const float *bias, float *y) {
    const int64_t per_sample = (int64_t)g->tiles_h * g->tiles_w;
    const int64_t plane = (int64_t)g->out_height * g->out_width;
    const int avx = have_avx2();
    for (int32_t o = 0; o < o1 - o0; o++) {
        const float *mo = m + (int64_t)o * tn;
        float b = bias ? bias[o0 + o] : 0.f;
        int64_t t = t0;
        while (t < t0 + tn) {
            int64_t s = t / per_sample, rest = t % per_sample;
            int ty = (int)(rest / g->tiles_w), tx = (int)(rest % g->tiles_w);
            int64_t run = g->tiles_w - tx;
            if (run > t0 + tn - t) run = t0 + tn - t;
            float *yc = y + (s * out_channels + o0 + o) * plane;
            int end = tx + (int)run;
            int full_rows = 2 * ty + 1 < g->out_height;
            while (tx < end) {
                if (avx && full_rows && tx + 8 <= end && 2 * (tx + 8) <= g->out_width) {
                    output_tiles8(mo + (t - t0), ld, g, ty, tx, b, yc);
                    tx += 8; t += 8;
                } else {
                    output_tile_scalar(mo + (t - t0), ld, g, ty, tx, b, yc);
                    tx += 1; t += 1;
                }
            }
        }
    }
}
