/* validatekit.c — small plugins for `ldmprobe validate-plugin`'s tests (built by Tests/PluginHostTests).
 *
 * Without a CASE_ macro all three plugins keep every promise and must pass. Each -DCASE_xxx breaks one promise,
 * which the validator must name:
 *   CASE_CALLCOUNT  the sampler plans 3n + 2 calls for n steps
 *   CASE_NONDET     the sampler's step depends on a global counter (runs differ)
 *   CASE_NAN        the sampler writes a NaN into x_prev at call 2
 *   CASE_LEAK       the sampler's destroy does not return its host->alloc memory
 *   CASE_SAVELOAD   the probe's set_weights drops the bias
 *   CASE_PROBSUM    the classifier's probabilities sum to 2
 * The file is written against ABI 1.0 and compiles against later headers too: built with
 * -I Tests/Fixtures/PluginABI-1.0/include it is the "old" plugin of the compatibility test. */
#include <math.h>
#include <string.h>

#include "ldmprobe/ldmprobe.h"
#include "kit.h"

#ifndef LDMP_ARRAY_AT /* 1.0 headers: parameter arrays are indexed by sizeof */
#define LDMP_ARRAY_AT(type, base, index) (&(base)[index])
#endif

static int32_t fail(const ldmp_host *h, ldmp_status st, const char *msg) {
    if (h && h->report_error) h->report_error(h, msg);
    return (int32_t)st;
}

static int64_t count_of(const ldmp_tensor *t) {
    int64_t n = 1;
    uint32_t k;
    for (k = 0; k < t->rank; k++) n *= t->shape[k];
    return n;
}

/* ---- sampler "toy-sampler": n calls at t = 999·(n − 1 − i)/(n − 1); x_prev = x − 0.1·ε; x0 = x − ε. ---- */
struct ldmp_sampler { const ldmp_host *host; uint32_t n; double scale; };

static int32_t s_create(const ldmp_host *h, const ldmp_param_value *v, uint32_t n, const char *json,
                        ldmp_sampler **out) {
    ldmp_sampler *s = h->alloc(h, sizeof *s);
    (void)json;
    if (!s) return fail(h, LDMP_ERR_INTERNAL, "toy-sampler: out of memory");
    s->host = h;
    s->scale = n > 0 ? LDMP_ARRAY_AT(ldmp_param_value, v, 0)->float_value : 0.1;
    *out = s;
    return LDMP_OK;
}
static void s_destroy(ldmp_sampler *s) {
#if !defined(CASE_LEAK)
    if (s) s->host->free(s->host, s);
#else
    (void)s;
#endif
}
static int32_t s_set(ldmp_sampler *s, uint32_t n) { s->n = n; return LDMP_OK; }
static uint32_t s_count(const ldmp_sampler *s) {
#if defined(CASE_CALLCOUNT)
    return 3 * s->n + 2;
#else
    return s->n;
#endif
}
static double s_t(const ldmp_sampler *s, uint32_t call) {
    return s->n > 1 ? 999.0 * (double)(s->n - 1 - call) / (double)(s->n - 1) : 999.0;
}
static double s_sigma(const ldmp_sampler *s) { (void)s; return 1.0; }
static int32_t s_scale(ldmp_sampler *s, uint32_t call, ldmp_tensor *x) { (void)s; (void)call; (void)x; return LDMP_OK; }
static int32_t s_step(ldmp_sampler *s, uint32_t call, const ldmp_tensor *eps, const ldmp_tensor *x,
                      const ldmp_tensor *noise, ldmp_tensor *prev, ldmp_tensor *x0) {
    static float drift = 0; /* CASE_NONDET: state shared by every instance and run */
    const float *e = eps->data, *xs = x->data;
    float *p = prev->data, *o = x0 ? x0->data : NULL;
    int64_t i, n = count_of(x);
    (void)noise;
#if defined(CASE_NONDET)
    drift += 1e-3f;
#endif
    for (i = 0; i < n; i++) {
        float xi = xs[i];
        if (o) o[i] = xi - e[i];
        p[i] = xi - (float)s->scale * e[i] + drift;
    }
#if defined(CASE_NAN)
    if (call == 2) p[n / 2] = NAN;
#else
    (void)call;
#endif
    return LDMP_OK;
}
static int32_t s_noise(const ldmp_sampler *s) { (void)s; return 0; }
static const ldmp_sampler_vtable sampler_vt = {
    sizeof(ldmp_sampler_vtable), s_create, s_destroy, s_set, s_count, s_t, s_sigma, s_scale, s_step, s_noise,
};
static const ldmp_param_desc sampler_params[] = {
    { sizeof(ldmp_param_desc), "scale", LDMP_PARAM_FLOAT, "0.1", 0, 1, 1, NULL, "step size" },
};

/* ---- probe "toy-probe": weight[o][c] = mean over examples of activation channel c's mean, times (o + 1);
 *      bias[o] = mean label + o; predict = bias + weight · activation (nearest upsampling). ---- */
#define MAXC 64
struct ldmp_probe { ldmp_probe_spec spec; double sum[MAXC], label, n, count; float w[2 * MAXC], b[2]; };

static int32_t p_create(const ldmp_host *h, const ldmp_param_value *v, uint32_t n, const ldmp_probe_spec *spec,
                        ldmp_probe **out) {
    ldmp_probe *p;
    (void)v; (void)n;
    if (spec->channels > MAXC || spec->outputs > 2) return fail(h, LDMP_ERR_UNSUPPORTED, "toy-probe: ≤ 64 channels");
    p = h->alloc(h, sizeof *p);
    if (!p) return fail(h, LDMP_ERR_INTERNAL, "toy-probe: out of memory");
    p->spec = *spec;
    *out = p;
    return LDMP_OK;
}
static const ldmp_host *probe_host; /* for destroy, which has no host argument */
static void p_destroy(ldmp_probe *p) { if (p) probe_host->free(probe_host, p); }
static int32_t p_add(ldmp_probe *p, const ldmp_tensor *a, const ldmp_tensor *l) {
    const float *ad = a->data, *ld = l->data;
    int64_t hw = a->shape[1] * a->shape[2], c, i;
    for (c = 0; c < a->shape[0]; c++) for (i = 0; i < hw; i++) p->sum[c] += ad[c * hw + i] / (double)hw;
    for (i = 0; i < count_of(l); i++) p->label += ld[i];
    p->n += (double)count_of(l);
    p->count += 1;
    return LDMP_OK;
}
static int32_t p_fit(ldmp_probe *p) {
    uint32_t o, c;
    for (o = 0; o < p->spec.outputs; o++) {
        for (c = 0; c < p->spec.channels; c++) p->w[o * p->spec.channels + c] = (float)((o + 1) * p->sum[c] / p->count);
        p->b[o] = (float)(p->label / p->n + o);
    }
    return LDMP_OK;
}
static int32_t p_predict(ldmp_probe *p, const ldmp_tensor *a, ldmp_tensor *out) {
    return kit_predict(p->w, p->b, p->spec.outputs, a, out);
}
static int32_t p_get(const ldmp_probe *p, ldmp_tensor *w, ldmp_tensor *b) {
    kit_view(w, (float *)p->w, p->spec.outputs, p->spec.channels, 2);
    kit_view(b, (float *)p->b, p->spec.outputs, 0, 1);
    return LDMP_OK;
}
static int32_t p_set(ldmp_probe *p, const ldmp_tensor *w, const ldmp_tensor *b) {
    memcpy(p->w, w->data, sizeof(float) * p->spec.outputs * p->spec.channels);
#if defined(CASE_SAVELOAD)
    (void)b;
    memset(p->b, 0, sizeof p->b);
#else
    if (b) memcpy(p->b, b->data, sizeof(float) * p->spec.outputs);
    else memset(p->b, 0, sizeof p->b);
#endif
    return LDMP_OK;
}
static const ldmp_probe_vtable probe_vt = {
    sizeof(ldmp_probe_vtable), p_create, p_destroy, p_add, p_fit, p_predict, p_get, p_set, NULL, NULL,
    NULL, NULL, /* ABI 1.2: export_state, import_state */
};

/* ---- classifier "toy-classifier": softmax over the mean R, G, B (in [0, 1]) times 4. ---- */
struct ldmp_classifier { int unused; };
static struct ldmp_classifier the_classifier;
static int32_t c_create(const ldmp_host *h, const ldmp_param_value *v, uint32_t n, ldmp_classifier **out) {
    (void)h; (void)v; (void)n;
    *out = &the_classifier;
    return LDMP_OK;
}
static void c_destroy(ldmp_classifier *c) { (void)c; }
static uint32_t c_count(const ldmp_classifier *c) { (void)c; return 3; }
static const char *c_name(const ldmp_classifier *c, uint32_t i) {
    static const char *const names[] = { "red", "green", "blue" };
    (void)c;
    return i < 3 ? names[i] : NULL;
}
static int32_t c_classify(ldmp_classifier *c, const ldmp_tensor *img, ldmp_tensor *probs) {
    float *p = probs->data;
    (void)c;
    kit_softmax_rgb(img, 4.0, p);
#if defined(CASE_PROBSUM)
    p[0] *= 2; p[1] *= 2; p[2] *= 2;
#endif
    return LDMP_OK;
}
static const ldmp_classifier_vtable classifier_vt = {
    sizeof(ldmp_classifier_vtable), c_create, c_destroy, c_count, c_name, c_classify,
};

/* ---- entry ---- */
static const ldmp_plugin_desc descs[] = {
    { sizeof(ldmp_plugin_desc), LDMP_KIND_SAMPLER, "toy-sampler", { 0, 1, 0 }, "validator test sampler", 1,
      sampler_params, 0, NULL, &sampler_vt },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_PROBE, "toy-probe", { 0, 1, 0 }, "validator test probe", 0, NULL, 0, NULL,
      &probe_vt },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_CLASSIFIER, "toy-classifier", { 0, 1, 0 }, "validator test classifier", 0,
      NULL, 0, NULL, &classifier_vt },
};
static int32_t v_init(const ldmp_host *h, const char *path) { (void)path; probe_host = h; return LDMP_OK; }
static void v_deinit(void) {}
static uint32_t v_count(void) { return 3; }
static const ldmp_plugin_desc *v_describe(uint32_t i) { return i < 3 ? &descs[i] : NULL; }
static const ldmp_entry entry = { sizeof(ldmp_entry), LDMP_ABI_VERSION_INIT, v_init, v_deinit, v_count, v_describe };
const ldmp_entry *ldmprobe_entry_v1(void) { return &entry; }
