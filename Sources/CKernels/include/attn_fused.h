// Fused attention for one head: packed Kᵀ panels, Q·Kᵀ, softmax and P·V in AVX-512 register tiles, the scores of a
// block of query rows kept in L2 (two passes: all of a row's scores, then P·V, normalised at the end).
#ifndef LDMP_ATTN_FUSED_H
#define LDMP_ATTN_FUSED_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the fused kernel runs on this CPU (AVX-512F); 0 means callers take another path.
int ldmp_attn_fused_supported(void);

/// Query rows per block for `tk` keys (a multiple of 24: the row tiles of both products divide it).
size_t ldmp_attn_fused_rows(size_t tk);

/// Floats of scratch `ldmp_attn_fused_head` needs for `tk` keys, head size `d` and `rows` query rows per block.
size_t ldmp_attn_fused_scratch(size_t tk, size_t d, size_t rows);

/// One head, queries q0 ..< q0 + nq of one sample: o = softmax(q·kᵀ·alpha [causal: key j ≤ query index]) · v.
/// q, o point at the chunk's first row [nq, d], k, v at the sample's first key [tk, d]; all with row stride `ld`
/// (heads packed in channels). `rows` from ldmp_attn_fused_rows (a multiple of 24). Only o's d columns are written.
void ldmp_attn_fused_head(const float *q, const float *k, const float *v, float *o, size_t ld, size_t nq,
                          size_t q0, size_t tk, size_t d, float alpha, int causal, size_t rows, float *scratch);

#ifdef __cplusplus
}
#endif

#endif
