/* example_ridge.c — a one-pass probe plugin in plain C: ridge regression of the label on the activation, per
 * token, built against the headers alone:
 *
 *     cc -std=c11 -O2 -shared -fPIC -fvisibility=hidden -I Sources/PluginABI/include \
 *        Examples/CProbe/example_ridge.c -lm -o libexample_ridge.so
 *     ldmprobe validate-plugin libexample_ridge.so
 *
 * add_example folds each example into the normal equations (XᵀX, XᵀY: (C+1)² + (C+1)·outputs doubles, fixed by
 * the spec), so the probe declares LDMP_CAP_PROBE_ONE_PASS and can merge shards exactly. Each label pixel counts
 * once, against the token it upsamples from (nearest), so the loss is the squared error at label resolution.
 * Binary labels regress the one-hot pair (1 − y, y): the two outputs act as logits for argmax, not calibrated ones.
 * All memory comes from host->alloc and goes back in destroy.
 */
#include <math.h>
#include <string.h>

#include "ldmprobe/ldmprobe.h"

struct ldmp_probe {
    const ldmp_host *host;
    uint32_t channels, outputs, dim; /* dim = channels + 1 (the bias column) */
    double lambda;
    int use_bias;
    double *xtx; /* [dim, dim] */
    double *xty; /* [dim, outputs] */
    float *weight; /* [outputs, channels] */
    float *bias;   /* [outputs] */
    double *state; /* export_state's copy: [dim·dim + dim·outputs], made on first use */
};

static int32_t fail(const ldmp_host *h, ldmp_status st, const char *msg) {
    if (h && h->report_error) h->report_error(h, msg);
    return (int32_t)st;
}

static const ldmp_param_value *find(const ldmp_param_value *v, uint32_t n, const char *name) {
    uint32_t i;
    for (i = 0; i < n; i++)
        if (strcmp(LDMP_ARRAY_AT(ldmp_param_value, v, i)->name, name) == 0) return LDMP_ARRAY_AT(ldmp_param_value, v, i);
    return NULL;
}

/* F32, rank `rank`, contiguous; returns 1 when so. */
static int f32(const ldmp_tensor *t, uint32_t rank) {
    int64_t stride = 1;
    uint32_t k;
    if (!t || t->dtype != LDMP_DTYPE_F32 || t->rank != rank || !t->data) return 0;
    for (k = rank; k-- > 0;) {
        if (t->shape[k] < 1 || (t->shape[k] != 1 && t->strides[k] != stride)) return 0;
        stride *= t->shape[k];
    }
    return 1;
}

static void r_destroy(ldmp_probe *p) {
    const ldmp_host *h;
    if (!p) return;
    h = p->host;
    h->free(h, p->xtx);
    h->free(h, p->xty);
    h->free(h, p->weight);
    h->free(h, p->bias);
    h->free(h, p->state);
    h->free(h, p);
}

static int32_t r_create(const ldmp_host *h, const ldmp_param_value *v, uint32_t n, const ldmp_probe_spec *spec,
                        ldmp_probe **out) {
    const ldmp_param_value *lambda = find(v, n, "lambda"), *bias = find(v, n, "bias");
    ldmp_probe *p;
    if (!spec || !out || spec->channels == 0 || spec->channels > 8192 || spec->outputs == 0 || spec->outputs > 2)
        return fail(h, LDMP_ERR_INVALID_ARGUMENT, "example-ridge: spec needs 1…8192 channels and 1 or 2 outputs");
    if (!(p = h->alloc(h, sizeof *p))) return fail(h, LDMP_ERR_INTERNAL, "example-ridge: out of memory");
    p->host = h;
    p->channels = spec->channels;
    p->outputs = spec->outputs;
    p->dim = spec->channels + 1;
    p->lambda = lambda ? lambda->float_value : 1e-3;
    p->use_bias = bias ? bias->int_value != 0 : 1;
    p->xtx = h->alloc(h, sizeof(double) * p->dim * p->dim);
    p->xty = h->alloc(h, sizeof(double) * p->dim * p->outputs);
    p->weight = h->alloc(h, sizeof(float) * p->outputs * p->channels);
    p->bias = h->alloc(h, sizeof(float) * p->outputs);
    p->state = NULL;
    if (!p->xtx || !p->xty || !p->weight || !p->bias) {
        r_destroy(p);
        return fail(h, LDMP_ERR_INTERNAL, "example-ridge: out of memory for the normal equations");
    }
    *out = p;
    return LDMP_OK;
}

static int32_t r_add(ldmp_probe *p, const ldmp_tensor *act, const ldmp_tensor *label) {
    int64_t C, h, w, H, W, t, y, x;
    uint32_t i, j, o;
    const float *a, *l;
    double row[8193];
    if (!f32(act, 3) || !f32(label, 2) || act->shape[0] != (int64_t)p->channels)
        return fail(p->host, LDMP_ERR_INVALID_ARGUMENT, "example-ridge: activation must be F32 [C, h, w], label F32 [H, W]");
    C = act->shape[0]; h = act->shape[1]; w = act->shape[2]; H = label->shape[0]; W = label->shape[1];
    if (H < h || W < w) return fail(p->host, LDMP_ERR_INVALID_ARGUMENT, "example-ridge: label smaller than the activation");
    a = act->data;
    l = label->data;
    for (t = 0; t < h * w; t++) {
        /* The label pixels that upsample (nearest) from token t: their count and their sum. */
        double count = 0, sum = 0;
        for (y = 0; y < H; y++) {
            if (y * h / H != t / w) continue;
            for (x = 0; x < W; x++) if (x * w / W == t % w) { count += 1; sum += l[y * W + x]; }
        }
        if (count == 0) continue;
        for (i = 0; i < C; i++) row[i] = a[i * h * w + t];
        row[C] = 1.0;
        for (i = 0; i < p->dim; i++) {
            for (j = 0; j < p->dim; j++) p->xtx[i * p->dim + j] += count * row[i] * row[j];
            for (o = 0; o < p->outputs; o++) /* binary: one-hot targets (1 − y, y) */
                p->xty[i * p->outputs + o] += row[i] * (p->outputs == 2 && o == 0 ? count - sum : sum);
        }
    }
    return LDMP_OK;
}

/* Solves (XᵀX + λI) β = XᵀY by Cholesky; the bias column is unregularised (or dropped when bias=false). */
static int32_t r_fit(ldmp_probe *p) {
    const ldmp_host *h = p->host;
    uint32_t d = p->use_bias ? p->dim : p->channels, i, j, k, o;
    double *L = h->alloc(h, sizeof(double) * d * d), *b = h->alloc(h, sizeof(double) * d);
    int32_t st = LDMP_OK;
    if (!L || !b) { h->free(h, L); h->free(h, b); return fail(h, LDMP_ERR_INTERNAL, "example-ridge: out of memory"); }
    for (i = 0; i < d; i++)
        for (j = 0; j <= i; j++) {
            double s = p->xtx[i * p->dim + j] + (i == j && i < p->channels ? p->lambda : 0);
            for (k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
            if (i == j) {
                if (!(s > 1e-12)) {
                    st = fail(h, LDMP_ERR_INVALID_ARGUMENT, "example-ridge: singular system (no examples, or "
                              "lambda=0 with collinear channels)");
                    goto done;
                }
                L[i * d + i] = sqrt(s);
            } else L[i * d + j] = s / L[j * d + j];
        }
    for (o = 0; o < p->outputs; o++) {
        for (i = 0; i < d; i++) { /* L z = XᵀY */
            double s = p->xty[i * p->outputs + o];
            for (k = 0; k < i; k++) s -= L[i * d + k] * b[k];
            b[i] = s / L[i * d + i];
        }
        for (i = d; i-- > 0;) { /* Lᵀ β = z */
            double s = b[i];
            for (k = i + 1; k < d; k++) s -= L[k * d + i] * b[k];
            b[i] = s / L[i * d + i];
        }
        for (i = 0; i < p->channels; i++) p->weight[o * p->channels + i] = (float)b[i];
        p->bias[o] = p->use_bias ? (float)b[p->channels] : 0.0f;
    }
done:
    h->free(h, L);
    h->free(h, b);
    return st;
}

static int32_t r_predict(ldmp_probe *p, const ldmp_tensor *act, ldmp_tensor *out) {
    int64_t C, h, w, H, W, y, x, c;
    uint32_t o;
    const float *a;
    float *od;
    if (!f32(act, 3) || !f32(out, 3) || act->shape[0] != (int64_t)p->channels || out->shape[0] != (int64_t)p->outputs)
        return fail(p->host, LDMP_ERR_INVALID_ARGUMENT, "example-ridge: predict needs F32 [C, h, w] → [outputs, H, W]");
    C = act->shape[0]; h = act->shape[1]; w = act->shape[2]; H = out->shape[1]; W = out->shape[2];
    a = act->data;
    od = out->data;
    for (o = 0; o < p->outputs; o++)
        for (y = 0; y < H; y++)
            for (x = 0; x < W; x++) {
                int64_t t = (y * h / H) * w + x * w / W;
                double s = p->bias[o];
                for (c = 0; c < C; c++) s += (double)p->weight[o * C + c] * a[c * h * w + t];
                od[(o * H + y) * W + x] = (float)s;
            }
    return LDMP_OK;
}

static void set_view(ldmp_tensor *t, float *data, int64_t rows, int64_t cols, uint32_t rank) {
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
    t->dtype = LDMP_DTYPE_F32;
    t->rank = rank;
    t->shape[0] = rows;
    t->shape[1] = cols;
    t->strides[0] = rank == 2 ? cols : 1;
    t->strides[1] = 1;
    t->data = data;
}

static int32_t r_get(const ldmp_probe *p, ldmp_tensor *weight, ldmp_tensor *bias) {
    set_view(weight, p->weight, p->outputs, p->channels, 2);
    set_view(bias, p->bias, p->use_bias ? p->outputs : 0, 0, 1);
    return LDMP_OK;
}

static int32_t r_set(ldmp_probe *p, const ldmp_tensor *weight, const ldmp_tensor *bias) {
    if (!f32(weight, 2) || weight->shape[0] != (int64_t)p->outputs || weight->shape[1] != (int64_t)p->channels ||
        (bias && (!f32(bias, 1) || bias->shape[0] != (int64_t)p->outputs)))
        return fail(p->host, LDMP_ERR_INVALID_ARGUMENT, "example-ridge: set_weights needs F32 [outputs, C] and [outputs]");
    memcpy(p->weight, weight->data, sizeof(float) * p->outputs * p->channels);
    if (bias) memcpy(p->bias, bias->data, sizeof(float) * p->outputs);
    else memset(p->bias, 0, sizeof(float) * p->outputs);
    return LDMP_OK;
}

static int32_t r_merge(ldmp_probe *into, const ldmp_probe *other) {
    uint32_t i;
    if (other->dim != into->dim || other->outputs != into->outputs)
        return fail(into->host, LDMP_ERR_INVALID_ARGUMENT, "example-ridge: merge needs the same spec");
    for (i = 0; i < into->dim * into->dim; i++) into->xtx[i] += other->xtx[i];
    for (i = 0; i < into->dim * into->outputs; i++) into->xty[i] += other->xty[i];
    return LDMP_OK;
}

/* ABI 1.2: the normal equations as one F64 vector [XᵀX (dim²), XᵀY (dim·outputs)], so shards in other processes
 * add up. */
static int32_t r_export(ldmp_probe *p, ldmp_tensor *state) {
    size_t a = (size_t)p->dim * p->dim, b = (size_t)p->dim * p->outputs;
    if (!state) return fail(p->host, LDMP_ERR_INVALID_ARGUMENT, "example-ridge: export_state needs an out view");
    if (!p->state && !(p->state = p->host->alloc(p->host, sizeof(double) * (a + b))))
        return fail(p->host, LDMP_ERR_INTERNAL, "example-ridge: out of memory for export_state");
    memcpy(p->state, p->xtx, sizeof(double) * a);
    memcpy(p->state + a, p->xty, sizeof(double) * b);
    memset(state, 0, sizeof *state);
    state->struct_size = sizeof *state;
    state->dtype = LDMP_DTYPE_F64;
    state->rank = 1;
    state->shape[0] = (int64_t)(a + b);
    state->strides[0] = 1;
    state->data = p->state;
    return LDMP_OK;
}

static int32_t r_import(ldmp_probe *p, const ldmp_tensor *state) {
    size_t a = (size_t)p->dim * p->dim, b = (size_t)p->dim * p->outputs, i;
    const double *s;
    if (!state || state->dtype != LDMP_DTYPE_F64 || state->rank != 1 || state->shape[0] != (int64_t)(a + b) ||
        (state->shape[0] > 1 && state->strides[0] != 1) || !state->data)
        return fail(p->host, LDMP_ERR_INVALID_ARGUMENT, "example-ridge: import_state needs F64 [dim² + dim·outputs] from export_state of the same spec");
    s = state->data;
    for (i = 0; i < a; i++) p->xtx[i] += s[i];
    for (i = 0; i < b; i++) p->xty[i] += s[a + i];
    return LDMP_OK;
}

static const ldmp_probe_vtable vtable = {
    sizeof(ldmp_probe_vtable), r_create, r_destroy, r_add, r_fit, r_predict, r_get, r_set,
    NULL,    /* loss_gradient: not provided */
    r_merge,
    r_export, r_import, /* ABI 1.2 */
};

static const ldmp_param_desc params[] = {
    { sizeof(ldmp_param_desc), "lambda", LDMP_PARAM_FLOAT, "0.001", 0, 1e6, 1, NULL, "ridge strength on the weights" },
    { sizeof(ldmp_param_desc), "bias", LDMP_PARAM_BOOL, "true", 0, 0, 0, NULL, "fit a bias per output" },
};

static const ldmp_plugin_desc descriptor = {
    sizeof(ldmp_plugin_desc), LDMP_KIND_PROBE, "example-ridge", { 1, 0, 0 },
    "one-pass ridge-regression probe in plain C (normal equations, mergeable): the SDK's probe example",
    sizeof params / sizeof params[0], params, 0, NULL, &vtable,
    LDMP_CAP_PROBE_ONE_PASS, /* for every parameter list, so no capabilities_for */
    NULL,
};

static int32_t lib_init(const ldmp_host *host, const char *path) { (void)host; (void)path; return LDMP_OK; }
static void lib_deinit(void) {}
static uint32_t lib_count(void) { return 1; }
static const ldmp_plugin_desc *lib_describe(uint32_t i) { return i == 0 ? &descriptor : NULL; }
static const ldmp_entry entry = { sizeof(ldmp_entry), LDMP_ABI_VERSION_INIT, lib_init, lib_deinit, lib_count, lib_describe };

LDMP_EXPORT const ldmp_entry *ldmprobe_entry_v1(void) { return &entry; }
