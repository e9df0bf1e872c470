/* example_wordpeak.c — a word-map plugin (wordmap.h) in plain C, built against the headers alone:
 *
 *     cc -std=c11 -O2 -shared -fPIC -fvisibility=hidden -I Sources/PluginABI/include \
 *        Examples/CWordMap/example_wordpeak.c -o libexample_wordpeak.so
 *     ldmprobe validate-plugin libexample_wordpeak.so
 *     ldmprobe wordmaps --wordmap ./libexample_wordpeak.so --model … --prompt … --out …
 *
 * Not DAAM: only the layers at the full latent resolution take part; at each position a word's value is the
 * largest, over heads, of its tokens' mean probability; maps are averaged over (layer, call) and upsampled nearest.
 * No normalisation: the mask threshold is the parameter `threshold`. All memory comes from host->alloc.
 */
#include <string.h>

#include "ldmprobe/ldmprobe.h"

struct ldmp_wordmap {
    const ldmp_host *host;
    double threshold;
    uint32_t lh, lw, tokens, words;
    uint32_t *starts;    /* [words + 1] */
    uint32_t *positions; /* [starts[words]] */
    double *sum;         /* [words, lh·lw] */
    uint32_t added;      /* (layer, call) pairs summed */
};

static int32_t fail(const ldmp_host *h, ldmp_status st, const char *msg) {
    if (h && h->report_error) h->report_error(h, msg);
    return (int32_t)st;
}

/* F32, rank 3, contiguous, no empty axis. */
static int f32_3(const ldmp_tensor *t) {
    if (!t || t->dtype != LDMP_DTYPE_F32 || t->rank != 3 || !t->data) return 0;
    return t->shape[0] > 0 && t->shape[1] > 0 && t->shape[2] > 0 && t->strides[2] == 1
        && t->strides[1] == t->shape[2] && t->strides[0] == t->shape[1] * t->shape[2];
}

static void release(ldmp_wordmap *w) {
    w->host->free(w->host, w->starts);
    w->host->free(w->host, w->positions);
    w->host->free(w->host, w->sum);
    w->starts = NULL;
    w->positions = NULL;
    w->sum = NULL;
    w->words = 0;
    w->added = 0;
}

static int32_t p_create(const ldmp_host *host, const ldmp_param_value *params, uint32_t count, ldmp_wordmap **out) {
    uint32_t i;
    ldmp_wordmap *w;
    if (!out) return fail(host, LDMP_ERR_INVALID_ARGUMENT, "example-wordpeak: out is NULL");
    w = host->alloc(host, sizeof *w);
    if (!w) return LDMP_ERR_INTERNAL;
    w->host = host;
    w->threshold = 0.05;
    for (i = 0; i < count; i++) {
        const ldmp_param_value *v = LDMP_ARRAY_AT(ldmp_param_value, params, i);
        if (strcmp(v->name, "threshold") == 0) w->threshold = v->float_value;
    }
    *out = w;
    return LDMP_OK;
}

static void p_destroy(ldmp_wordmap *w) {
    if (!w) return;
    release(w);
    w->host->free(w->host, w);
}

static int32_t p_begin(ldmp_wordmap *w, const ldmp_wordmap_image *image) {
    uint32_t n, total, i;
    if (!image || image->struct_size < sizeof(ldmp_wordmap_image) || image->latent_height == 0
        || image->latent_width == 0 || (image->word_count > 0 && !image->word_starts))
        return fail(w->host, LDMP_ERR_INVALID_ARGUMENT, "example-wordpeak: begin: no image, latent size or word_starts");
    release(w);
    n = image->word_count;
    total = n ? image->word_starts[n] - image->word_starts[0] : 0;
    if (total > 0 && !image->positions)
        return fail(w->host, LDMP_ERR_INVALID_ARGUMENT, "example-wordpeak: begin: positions is NULL");
    w->lh = image->latent_height;
    w->lw = image->latent_width;
    w->tokens = image->token_count;
    w->starts = w->host->alloc(w->host, sizeof(uint32_t) * (n + 1));
    w->positions = w->host->alloc(w->host, sizeof(uint32_t) * (total + 1));
    w->sum = w->host->alloc(w->host, sizeof(double) * ((uint64_t)n * w->lh * w->lw + 1));
    if (!w->starts || !w->positions || !w->sum) { release(w); return LDMP_ERR_INTERNAL; }
    for (i = 0; i <= n && n > 0; i++) w->starts[i] = image->word_starts[i] - image->word_starts[0];
    for (i = 0; i < total; i++) {
        w->positions[i] = image->positions[image->word_starts[0] + i];
        if (w->positions[i] >= w->tokens) {
            release(w);
            return fail(w->host, LDMP_ERR_INVALID_ARGUMENT, "example-wordpeak: begin: a position ≥ token_count");
        }
    }
    w->words = n;
    return LDMP_OK;
}

static int32_t p_add(ldmp_wordmap *w, const char *layer, uint32_t call, const ldmp_tensor *probs) {
    int64_t heads, hw, s, h, p;
    uint32_t k, i;
    const float *x;
    (void)layer; (void)call;
    if (!f32_3(probs) || probs->shape[2] != (int64_t)w->tokens)
        return fail(w->host, LDMP_ERR_INVALID_ARGUMENT, "example-wordpeak: add: probabilities not F32 [heads, hw, S]");
    heads = probs->shape[0]; hw = probs->shape[1]; s = probs->shape[2];
    if (hw != (int64_t)w->lh * w->lw) return LDMP_OK; /* not at the full latent resolution: left out */
    x = probs->data;
    for (k = 0; k < w->words; k++) {
        uint32_t a = w->starts[k], b = w->starts[k + 1];
        if (a == b) continue;
        for (p = 0; p < hw; p++) {
            double best = 0;
            for (h = 0; h < heads; h++) {
                double mean = 0;
                for (i = a; i < b; i++) mean += x[(h * hw + p) * s + w->positions[i]];
                mean /= (double)(b - a);
                if (h == 0 || mean > best) best = mean;
            }
            w->sum[(uint64_t)k * hw + p] += best;
        }
    }
    w->added++;
    return LDMP_OK;
}

static int32_t p_finish(ldmp_wordmap *w, ldmp_tensor *maps) {
    int64_t H, W, y, x;
    uint32_t k;
    float *o;
    if (!f32_3(maps) || maps->shape[0] != (int64_t)w->words)
        return fail(w->host, LDMP_ERR_INVALID_ARGUMENT, "example-wordpeak: finish: maps not F32 [words, H, W]");
    if (w->added == 0)
        return fail(w->host, LDMP_ERR_INVALID_ARGUMENT, "example-wordpeak: finish: no full-resolution capture added");
    H = maps->shape[1]; W = maps->shape[2];
    o = maps->data;
    for (k = 0; k < w->words; k++)
        for (y = 0; y < H; y++)
            for (x = 0; x < W; x++) {
                int64_t sy = y * w->lh / H, sx = x * w->lw / W;
                o[(k * H + y) * W + x] = (float)(w->sum[(uint64_t)k * w->lh * w->lw + sy * w->lw + sx] / w->added);
            }
    return LDMP_OK;
}

static double p_threshold(const ldmp_wordmap *w) { return w->threshold; }

static const ldmp_param_desc params[] = {
    { sizeof(ldmp_param_desc), "threshold", LDMP_PARAM_FLOAT, "0.05", 0, 1, 1, NULL,
      "mask threshold on the (unnormalised) maps" },
};
static const ldmp_wordmap_vtable vtable = {
    sizeof(ldmp_wordmap_vtable), p_create, p_destroy, p_begin, p_add, p_finish, p_threshold,
};
static const ldmp_plugin_desc desc = {
    sizeof(ldmp_plugin_desc), LDMP_KIND_WORDMAP, "example-wordpeak", { 1, 0, 0 },
    "word maps: per position the largest head's mean token probability, full-resolution layers only",
    1, params, 0, NULL, &vtable, 0, NULL,
};

static int32_t e_init(const ldmp_host *host, const char *path) { (void)host; (void)path; return LDMP_OK; }
static void e_deinit(void) {}
static uint32_t e_count(void) { return 1; }
static const ldmp_plugin_desc *e_describe(uint32_t i) { return i == 0 ? &desc : NULL; }
static const ldmp_entry entry = { sizeof(ldmp_entry), LDMP_ABI_VERSION_INIT, e_init, e_deinit, e_count, e_describe };

LDMP_EXPORT const ldmp_entry *ldmprobe_entry_v1(void) { return &entry; }
