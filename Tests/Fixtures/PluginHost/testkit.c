/* testkit.c — a test-only plugin library (built by Tests/PluginHostTests with cc): one probe, one classifier and
 * one labeler with trivial, exactly predictable behaviour, parameters of every type, and an action taking
 * every argument type. Not an example of good plugin design: see Examples/CPlugin. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldmprobe/ldmprobe.h"
#include "kit.h"

static int32_t fail(const ldmp_host *h, ldmp_status st, const char *msg) {
    if (h && h->report_error) h->report_error(h, msg);
    return (int32_t)st;
}

static const ldmp_param_value *param(const ldmp_param_value *v, uint32_t n, const char *name) {
    uint32_t i;
    for (i = 0; i < n; i++)
        if (strcmp(LDMP_ARRAY_AT(ldmp_param_value, v, i)->name, name) == 0) return LDMP_ARRAY_AT(ldmp_param_value, v, i);
    return NULL;
}

static int64_t count_of(const ldmp_tensor *t) {
    int64_t n = 1;
    uint32_t k;
    for (k = 0; k < t->rank; k++) n *= t->shape[k];
    return n;
}

/* ---- probe "sum-probe": weight[o][c] = scale · mean activation of channel c; bias[o] = mean label + o.
 *      predict: out[o][y][x] = bias[o] + Σc weight[o][c] · act[c][y·h/H][x·w/W]. */
struct ldmp_probe {
    const ldmp_host *host;
    ldmp_probe_spec spec;
    double scale, label_sum, label_n, *act_sum, act_n;
    float *weight, *bias;
};

static int32_t p_create(const ldmp_host *h, const ldmp_param_value *v, uint32_t n, const ldmp_probe_spec *spec,
                        ldmp_probe **out) {
    ldmp_probe *p = calloc(1, sizeof *p);
    p->host = h;
    p->spec = *spec;
    p->scale = param(v, n, "scale")->float_value;
    p->act_sum = calloc(spec->channels, sizeof(double));
    p->weight = calloc((size_t)spec->outputs * spec->channels, sizeof(float));
    p->bias = calloc(spec->outputs, sizeof(float));
    *out = p;
    return LDMP_OK;
}

static void p_destroy(ldmp_probe *p) {
    if (!p) return;
    free(p->act_sum); free(p->weight); free(p->bias); free(p);
}

static int32_t p_add(ldmp_probe *p, const ldmp_tensor *a, const ldmp_tensor *l) {
    int64_t hw, i, c;
    const float *ad = a->data, *ld = l->data;
    if (a->rank != 3 || a->shape[0] != (int64_t)p->spec.channels)
        return fail(p->host, LDMP_ERR_INVALID_ARGUMENT, "sum-probe: activation must be [C, h, w]");
    hw = a->shape[1] * a->shape[2];
    for (c = 0; c < a->shape[0]; c++) for (i = 0; i < hw; i++) p->act_sum[c] += ad[c * hw + i];
    p->act_n += (double)hw;
    for (i = 0; i < count_of(l); i++) p->label_sum += ld[i];
    p->label_n += (double)count_of(l);
    return LDMP_OK;
}

static int32_t p_fit(ldmp_probe *p) {
    uint32_t o, c;
    if (p->act_n == 0) return fail(p->host, LDMP_ERR_INVALID_ARGUMENT, "sum-probe: fit before any example");
    for (o = 0; o < p->spec.outputs; o++) {
        for (c = 0; c < p->spec.channels; c++)
            p->weight[o * p->spec.channels + c] = (float)(p->scale * p->act_sum[c] / p->act_n);
        p->bias[o] = (float)(p->label_sum / p->label_n + o);
        if (p->host->progress) p->host->progress(p->host, "fit", o + 1, p->spec.outputs);
    }
    return LDMP_OK;
}

static int32_t p_predict(ldmp_probe *p, const ldmp_tensor *a, ldmp_tensor *out) {
    return kit_predict(p->weight, p->bias, p->spec.outputs, a, out);
}

static int32_t p_get(const ldmp_probe *p, ldmp_tensor *w, ldmp_tensor *b) {
    kit_view(w, p->weight, p->spec.outputs, p->spec.channels, 2);
    kit_view(b, p->bias, p->spec.outputs, 0, 1);
    return LDMP_OK;
}

static int32_t p_set(ldmp_probe *p, const ldmp_tensor *w, const ldmp_tensor *b) {
    memcpy(p->weight, w->data, sizeof(float) * p->spec.outputs * p->spec.channels);
    if (b) memcpy(p->bias, b->data, sizeof(float) * p->spec.outputs);
    else memset(p->bias, 0, sizeof(float) * p->spec.outputs);
    return LDMP_OK;
}

static const ldmp_probe_vtable probe_vt = {
    sizeof(ldmp_probe_vtable), p_create, p_destroy, p_add, p_fit, p_predict, p_get, p_set, NULL, NULL,
    NULL, NULL, /* ABI 1.2: export_state, import_state */
};

static const ldmp_param_desc probe_params[] = {
    { sizeof(ldmp_param_desc), "scale", LDMP_PARAM_FLOAT, "1.0", -10, 10, 1, NULL, "weight scale" },
};

/* ---- classifier "echo-classifier": class 0's name spells out the parameters it was created with;
 *      classify: softmax of the mean R, G, B (in [0, 1]) times `count`. */
struct ldmp_classifier { char names[3][512]; double count; };

static int32_t c_create(const ldmp_host *h, const ldmp_param_value *v, uint32_t n, ldmp_classifier **out) {
    ldmp_classifier *c = calloc(1, sizeof *c);
    (void)h;
    snprintf(c->names[0], sizeof c->names[0], "flag=%lld count=%lld temp=%g label=%s file=%s mode=%s set=%d%d%d%d%d%d",
             (long long)param(v, n, "flag")->int_value, (long long)param(v, n, "count")->int_value,
             param(v, n, "temp")->float_value, param(v, n, "label")->string_value,
             param(v, n, "file")->string_value, param(v, n, "mode")->string_value,
             param(v, n, "flag")->is_set, param(v, n, "count")->is_set, param(v, n, "temp")->is_set,
             param(v, n, "label")->is_set, param(v, n, "file")->is_set, param(v, n, "mode")->is_set);
    strcpy(c->names[1], "green");
    strcpy(c->names[2], "blue");
    c->count = (double)param(v, n, "count")->int_value;
    *out = c;
    return LDMP_OK;
}

static void c_destroy(ldmp_classifier *c) { free(c); }
static uint32_t c_count(const ldmp_classifier *c) { (void)c; return 3; }
static const char *c_name(const ldmp_classifier *c, uint32_t i) { return i < 3 ? c->names[i] : NULL; }

static int32_t c_classify(ldmp_classifier *c, const ldmp_tensor *img, ldmp_tensor *probs) {
    if (img->dtype != LDMP_DTYPE_U8 || img->rank != 3 || img->shape[2] != 3)
        return fail(NULL, LDMP_ERR_INVALID_ARGUMENT, "echo-classifier: image must be U8 [H, W, 3]");
    kit_softmax_rgb(img, c->count, probs->data);
    return LDMP_OK;
}

static const ldmp_classifier_vtable classifier_vt = {
    sizeof(ldmp_classifier_vtable), c_create, c_destroy, c_count, c_name, c_classify,
};

static const ldmp_param_desc classifier_params[] = {
    { sizeof(ldmp_param_desc), "flag", LDMP_PARAM_BOOL, "false", 0, 0, 0, NULL, "a bool" },
    { sizeof(ldmp_param_desc), "count", LDMP_PARAM_INT, "3", 1, 10, 1, NULL, "an int in 1…10" },
    { sizeof(ldmp_param_desc), "temp", LDMP_PARAM_FLOAT, "1.0", 0.5, 2, 1, NULL, "a float in 0.5…2" },
    { sizeof(ldmp_param_desc), "label", LDMP_PARAM_STRING, "", 0, 0, 0, NULL, "a string" },
    { sizeof(ldmp_param_desc), "file", LDMP_PARAM_PATH, "", 0, 0, 0, NULL, "a path" },
    { sizeof(ldmp_param_desc), "mode", LDMP_PARAM_CHOICE, "b", 0, 0, 0, "a|b|c", "a choice" },
};

/* An action taking every argument type: writes them to `output`; a negative `number` fails. */
static int32_t echo(const ldmp_host *h, const char *output, const char *text, int64_t number, double real,
                    int32_t flag) {
    FILE *f;
    if (number < 0) return fail(h, LDMP_ERR_INVALID_ARGUMENT, "echo: number must be >= 0");
    f = fopen(output, "w");
    if (!f) return fail(h, LDMP_ERR_IO, "echo: cannot open output");
    fprintf(f, "%s|%lld|%.17g|%d|%s", text, (long long)number, real, flag, h->host_version);
    fclose(f);
    return LDMP_OK;
}
static const uint32_t echo_types[] = { LDMP_ARG_PATH, LDMP_ARG_STRING, LDMP_ARG_INT, LDMP_ARG_FLOAT,
                                            LDMP_ARG_BOOL };
static const char *const echo_names[] = { "output", "text", "number", "real", "flag" };
static const ldmp_action_desc classifier_actions[] = {
    { sizeof(ldmp_action_desc), "echo", "write the arguments to OUTPUT", 5, echo_types, echo_names,
      (void (*)(void))echo },
};

/* ---- labeler "index-labeler": out[i] = offset + i; image id "missing" → NOT_FOUND; with an image,
 *      out[i] += image[0] (its first byte). */
struct ldmp_labeler { const ldmp_host *host; int64_t offset; char source[1024]; };

static int32_t l_create(const ldmp_host *h, const ldmp_param_value *v, uint32_t n, const char *source,
                        ldmp_labeler **out) {
    ldmp_labeler *l = calloc(1, sizeof *l);
    l->host = h;
    l->offset = param(v, n, "offset")->int_value;
    snprintf(l->source, sizeof l->source, "%s", source);
    *out = l;
    return LDMP_OK;
}
static void l_destroy(ldmp_labeler *l) { free(l); }
static uint32_t l_kind(const ldmp_labeler *l) { (void)l; return LDMP_LABEL_CONTINUOUS; }
static int32_t l_load(ldmp_labeler *l, const char *id, const ldmp_tensor *image, ldmp_tensor *out) {
    int64_t i, n = count_of(out);
    float *o = out->data;
    char msg[1200];
    if (strcmp(id, "missing") == 0) {
        snprintf(msg, sizeof msg, "index-labeler: no label for image %s in %s", id, l->source);
        return fail(l->host, LDMP_ERR_NOT_FOUND, msg);
    }
    for (i = 0; i < n; i++) o[i] = (float)(l->offset + i + (image ? ((const uint8_t *)image->data)[0] : 0));
    return LDMP_OK;
}
static const ldmp_labeler_vtable labeler_vt = { sizeof(ldmp_labeler_vtable), l_create, l_destroy, l_kind, l_load };
static const ldmp_param_desc labeler_params[] = {
    { sizeof(ldmp_param_desc), "offset", LDMP_PARAM_INT, NULL, 0, 0, 0, NULL, "required: added to every value" },
};

/* ---- entry ---- */
static const ldmp_plugin_desc descs[] = {
    { sizeof(ldmp_plugin_desc), LDMP_KIND_PROBE, "sum-probe", { 0, 1, 0 }, "test probe", 1, probe_params, 0, NULL,
      &probe_vt, 0, NULL },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_CLASSIFIER, "echo-classifier", { 0, 1, 0 }, "test classifier", 6,
      classifier_params, 1, classifier_actions, &classifier_vt, 0, NULL },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_LABELER, "index-labeler", { 0, 1, 0 }, "test labeler", 1, labeler_params,
      0, NULL, &labeler_vt, 0, NULL },
};
static int32_t t_init(const ldmp_host *h, const char *path) {
    if (h->log) h->log(h, LDMP_LOG_DEBUG, path);
    return LDMP_OK;
}
static void t_deinit(void) {}
static uint32_t t_count(void) { return 3; }
static const ldmp_plugin_desc *t_describe(uint32_t i) { return i < 3 ? &descs[i] : NULL; }
static const ldmp_entry entry = { sizeof(ldmp_entry), LDMP_ABI_VERSION_INIT, t_init, t_deinit, t_count, t_describe };
const ldmp_entry *ldmprobe_entry_v1(void) { return &entry; }
