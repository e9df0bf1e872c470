/* kit.h — what testkit.c and validatekit.c share: their probes' linear map with nearest upsampling and F32 weight
 * views, their classifiers' softmax of the mean colour. Test fixtures only; the examples stay one file each. */
#ifndef KIT_H
#define KIT_H

#include <math.h>
#include <string.h>
#include "ldmprobe/ldmprobe.h"

/* out[o][y][x] = bias[o] + Σc weight[o][c] · act[c][y·h/H][x·w/W]; act F32 [C, h, w], out F32 [outputs, H, W]. */
static int32_t kit_predict(const float *weight, const float *bias, uint32_t outputs, const ldmp_tensor *a,
                           ldmp_tensor *out) {
    int64_t C = a->shape[0], h = a->shape[1], w = a->shape[2], H = out->shape[1], W = out->shape[2], y, x, c;
    uint32_t o;
    const float *ad = a->data;
    float *od = out->data;
    for (o = 0; o < outputs; o++)
        for (y = 0; y < H; y++)
            for (x = 0; x < W; x++) {
                float s = bias[o];
                for (c = 0; c < C; c++) s += weight[o * C + c] * ad[c * h * w + (y * h / H) * w + (x * w / W)];
                od[(o * H + y) * W + x] = s;
            }
    return LDMP_OK;
}

/* A contiguous F32 view: [a, b] (rank 2) or [a] (rank 1). */
static void kit_view(ldmp_tensor *t, float *data, int64_t a, int64_t b, uint32_t rank) {
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
    t->dtype = LDMP_DTYPE_F32;
    t->rank = rank;
    t->shape[0] = a;
    t->shape[1] = b;
    t->strides[0] = rank == 2 ? b : 1;
    t->strides[1] = 1;
    t->data = data;
}

/* probs[k] = softmax over k of scale · mean channel k of img (U8 [H, W, 3], in [0, 1]). */
static void kit_softmax_rgb(const ldmp_tensor *img, double scale, float *probs) {
    double m[3] = { 0, 0, 0 }, z = 0;
    int64_t n = img->shape[0] * img->shape[1], i;
    const uint8_t *d = img->data;
    int k;
    for (i = 0; i < n; i++) for (k = 0; k < 3; k++) m[k] += d[i * 3 + k] / 255.0;
    for (k = 0; k < 3; k++) { m[k] = exp(scale * m[k] / (double)n); z += m[k]; }
    for (k = 0; k < 3; k++) probs[k] = (float)(m[k] / z);
}

#endif
