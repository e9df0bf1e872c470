/* example_euler.c — a complete ldmprobe sampler plugin in plain C, built against the headers alone:
 *
 *     cc -std=c11 -O2 -shared -fPIC -fvisibility=hidden -I Sources/PluginABI/include \
 *        Examples/CPlugin/example_euler.c -lm -o libexample_euler.so
 *     ldmprobe plugins --plugin-path .          # lists sampler "example-euler"
 *     ldmprobe action example-euler write_sigmas sigmas.txt 30 --plugin-path .
 *
 * Matches diffusers EulerDiscreteScheduler (0.42) with beta_schedule "scaled_linear", interpolation_type
 * "linear", final_sigmas_type "zero", s_churn 0 (no stochasticity) and no Karras/exponential/beta sigmas.
 * Each setting comes from, in order: the parameter when the user set it, else the scheduler config the host
 * passes (read with host->json_*), else the parameter's default. A config asking for what it does not implement
 * (another beta_schedule, Karras sigmas, …) is refused with a message naming the key.
 * Its buffers come from host->alloc, so `ldmprobe validate-plugin` can check that destroy returns them.
 * One library may hold several plugins; this one holds one. See docs/plugins.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldmprobe/ldmprobe.h"

#define MAX_TRAIN 10000

/* ---- the schedule (shared by the sampler and the action) ------------------------------------------------- */

typedef enum { SPACING_LINSPACE, SPACING_LEADING, SPACING_TRAILING } spacing_t;

typedef struct schedule_config {
    int64_t num_train_timesteps;
    double beta_start, beta_end;
    spacing_t spacing;
    int64_t steps_offset;
    int v_prediction;
} schedule_config;

static const schedule_config default_config = { 1000, 0.00085, 0.012, SPACING_LINSPACE, 0, 0 };

/* Writes n timesteps and n+1 sigmas (the last 0). Returns 0, or -1 when n is out of range. */
static int make_schedule(const schedule_config *c, uint32_t n, double *timesteps, double *sigmas) {
    const int64_t N = c->num_train_timesteps;
    double train_sigmas[MAX_TRAIN];
    double cumprod = 1.0;
    uint32_t i;
    if (n == 0 || (int64_t)n > N) return -1;
    /* scaled_linear: betas = linspace(√β0, √β1, N)², α̅ = Π(1 − β), σ = √((1 − α̅)/α̅); float32 like torch. */
    for (int64_t k = 0; k < N; k++) {
        double r = N > 1 ? (double)k / (double)(N - 1) : 0.0;
        float sb = (float)(sqrt(c->beta_start) + r * (sqrt(c->beta_end) - sqrt(c->beta_start)));
        float beta = sb * sb;
        cumprod = (double)(float)(cumprod * (double)(1.0f - beta));
        train_sigmas[k] = (double)(float)sqrt((1.0 - cumprod) / cumprod);
    }
    for (i = 0; i < n; i++) {
        double t;
        switch (c->spacing) {
        case SPACING_LEADING: {
            int64_t ratio = N / n;
            t = (double)((int64_t)(n - 1 - i) * ratio + c->steps_offset);
            break;
        }
        case SPACING_TRAILING: {
            double ratio = (double)N / (double)n;
            t = nearbyint((double)N - (double)i * ratio) - 1.0;
            break;
        }
        default:
            t = n > 1 ? (double)(float)((double)(N - 1) * (double)(n - 1 - i) / (double)(n - 1)) : 0.0;
        }
        timesteps[i] = (double)(float)t;
        /* np.interp over the training sigmas at integer positions (clamped at the ends). */
        if (t <= 0) sigmas[i] = train_sigmas[0];
        else if (t >= (double)(N - 1)) sigmas[i] = train_sigmas[N - 1];
        else {
            int64_t lo = (int64_t)floor(t);
            double f = t - (double)lo;
            sigmas[i] = (double)(float)(train_sigmas[lo] + f * (train_sigmas[lo + 1] - train_sigmas[lo]));
        }
    }
    sigmas[n] = 0.0;
    return 0;
}

/* ---- parameters -------------------------------------------------------------------------------------------- */

static const ldmp_param_desc params[] = {
    { sizeof(ldmp_param_desc), "timestep_spacing", LDMP_PARAM_CHOICE, "linspace", 0, 0, 0,
      "linspace|leading|trailing", "how the inference timesteps are spread (diffusers timestep_spacing)" },
    { sizeof(ldmp_param_desc), "steps_offset", LDMP_PARAM_INT, "0", 0, 1000, 1, NULL,
      "added to every timestep with leading spacing" },
    { sizeof(ldmp_param_desc), "num_train_timesteps", LDMP_PARAM_INT, "1000", 1, MAX_TRAIN, 1, NULL,
      "length of the training noise schedule" },
    { sizeof(ldmp_param_desc), "beta_start", LDMP_PARAM_FLOAT, "0.00085", 0, 1, 1, NULL,
      "first β of the scaled_linear schedule" },
    { sizeof(ldmp_param_desc), "beta_end", LDMP_PARAM_FLOAT, "0.012", 0, 1, 1, NULL,
      "last β of the scaled_linear schedule" },
    { sizeof(ldmp_param_desc), "prediction_type", LDMP_PARAM_CHOICE, "epsilon", 0, 0, 0,
      "epsilon|v_prediction", "what the model predicts" },
};
#define PARAM_COUNT (sizeof(params) / sizeof(params[0]))

/* The parameter `name`, or NULL. The array is stepped by its struct_size (version.h), not by sizeof. */
static const ldmp_param_value *find_param(const ldmp_param_value *values, uint32_t count, const char *name) {
    uint32_t i;
    for (i = 0; i < count; i++) {
        const ldmp_param_value *v = LDMP_ARRAY_AT(ldmp_param_value, values, i);
        if (v->name && strcmp(v->name, name) == 0) return v;
    }
    return NULL;
}

/* A parameter the user set explicitly (it then wins over the scheduler config). */
static const ldmp_param_value *set_param(const ldmp_param_value *values, uint32_t count, const char *name) {
    const ldmp_param_value *p = find_param(values, count, name);
    return p && p->is_set ? p : NULL;
}

/* ---- the sampler instance ---------------------------------------------------------------------------------- */

struct ldmp_sampler {
    const ldmp_host *host;
    schedule_config config;
    uint32_t n;          /* inference steps (= calls) */
    double *timesteps;   /* [n] */
    double *sigmas;      /* [n + 1] */
};

static int32_t fail(const ldmp_host *host, ldmp_status status, const char *msg) {
    if (host && host->report_error) host->report_error(host, msg);
    return (int32_t)status;
}

/* Applies the scheduler config's keys (host.h's JSON readers). LDMP_ERR_NOT_FOUND = key absent: keep. */
static int32_t read_config(const ldmp_host *host, const char *json, const ldmp_param_value *values, uint32_t count,
                           schedule_config *c) {
    char text[64], msg[256];
    double x;
    uint64_t n;
    int32_t st;
    if (!json) return LDMP_OK; /* no config: the parameters' defaults */
    if (!LDMP_HOST_HAS(host, json_number))
        return fail(host, LDMP_ERR_UNSUPPORTED, "example-euler: this host cannot read the scheduler config (ABI < 1.1)");
#define NUMBER(key, field, cast)                                                                            \
    if (!set_param(values, count, key)) {                                                                   \
        st = host->json_number(host, json, key, &x);                                                        \
        if (st == LDMP_OK && !(x >= 0 && x <= 1e6)) {                                                       \
            snprintf(msg, sizeof msg, "example-euler: scheduler config %s = %g out of range 0…1e6", key, x); \
            return fail(host, LDMP_ERR_INVALID_ARGUMENT, msg);                                              \
        }                                                                                                   \
        if (st == LDMP_OK) c->field = (cast)x;                                                              \
        else if (st != LDMP_ERR_NOT_FOUND) return st;                                                       \
    }
    NUMBER("num_train_timesteps", num_train_timesteps, int64_t)
    NUMBER("beta_start", beta_start, double)
    NUMBER("beta_end", beta_end, double)
    NUMBER("steps_offset", steps_offset, int64_t)
#undef NUMBER
    if (c->num_train_timesteps < 1 || c->num_train_timesteps > MAX_TRAIN) {
        snprintf(msg, sizeof msg, "example-euler: scheduler config num_train_timesteps %lld out of range 1…%d",
                 (long long)c->num_train_timesteps, MAX_TRAIN);
        return fail(host, LDMP_ERR_INVALID_ARGUMENT, msg);
    }
    if (!set_param(values, count, "timestep_spacing")) {
        st = host->json_string(host, json, "timestep_spacing", text, sizeof text, &n);
        if (st == LDMP_OK) {
            if (strcmp(text, "leading") == 0) c->spacing = SPACING_LEADING;
            else if (strcmp(text, "trailing") == 0) c->spacing = SPACING_TRAILING;
            else if (strcmp(text, "linspace") == 0) c->spacing = SPACING_LINSPACE;
            else return fail(host, LDMP_ERR_INVALID_ARGUMENT,
                             "example-euler: scheduler config timestep_spacing must be linspace, leading or trailing");
        } else if (st != LDMP_ERR_NOT_FOUND) return st;
    }
    if (!set_param(values, count, "prediction_type")) {
        st = host->json_string(host, json, "prediction_type", text, sizeof text, &n);
        if (st == LDMP_OK) {
            if (strcmp(text, "epsilon") != 0 && strcmp(text, "v_prediction") != 0)
                return fail(host, LDMP_ERR_INVALID_ARGUMENT,
                            "example-euler: scheduler config prediction_type must be epsilon or v_prediction");
            c->v_prediction = strcmp(text, "v_prediction") == 0;
        } else if (st != LDMP_ERR_NOT_FOUND) return st;
    }
    /* What this example does not implement is refused, not ignored. */
    {
        static const char *const fixed[][2] = { { "beta_schedule", "scaled_linear" }, { "interpolation_type", "linear" },
                                                { "final_sigmas_type", "zero" } };
        size_t k;
        for (k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
            st = host->json_string(host, json, fixed[k][0], text, sizeof text, &n);
            if (st == LDMP_ERR_NOT_FOUND) continue;
            if (st != LDMP_OK) return st;
            if (strcmp(text, fixed[k][1]) != 0) {
                snprintf(msg, sizeof msg, "example-euler: scheduler config %s '%s' is not supported (only %s)",
                         fixed[k][0], text, fixed[k][1]);
                return fail(host, LDMP_ERR_UNSUPPORTED, msg);
            }
        }
    }
    {
        static const char *const off[] = { "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas" };
        size_t k;
        for (k = 0; k < sizeof off / sizeof off[0]; k++) {
            st = host->json_number(host, json, off[k], &x);
            if (st == LDMP_ERR_NOT_FOUND || (st == LDMP_OK && x == 0)) continue;
            if (st != LDMP_OK) return st;
            snprintf(msg, sizeof msg, "example-euler: scheduler config %s is not supported (set it to false)", off[k]);
            return fail(host, LDMP_ERR_UNSUPPORTED, msg);
        }
    }
    st = host->json_numbers(host, json, "trained_betas", NULL, 0, &n);
    if (st == LDMP_OK)
        return fail(host, LDMP_ERR_UNSUPPORTED, "example-euler: scheduler config trained_betas is not supported");
    return st == LDMP_ERR_NOT_FOUND ? LDMP_OK : st;
}

static int32_t s_create(const ldmp_host *host, const ldmp_param_value *values, uint32_t count,
                        const char *scheduler_config_json, ldmp_sampler **out) {
    const ldmp_param_value *p;
    ldmp_sampler *s;
    schedule_config c = default_config;
    int32_t st;
    if (!out || !host) return fail(host, LDMP_ERR_INVALID_ARGUMENT, "example-euler: create: out or host is NULL");
    /* Parameter defaults first, then the config, then what the user set. */
    if ((p = find_param(values, count, "timestep_spacing")) && p->string_value) {
        if (strcmp(p->string_value, "leading") == 0) c.spacing = SPACING_LEADING;
        else if (strcmp(p->string_value, "trailing") == 0) c.spacing = SPACING_TRAILING;
    }
    if ((p = find_param(values, count, "steps_offset"))) c.steps_offset = p->int_value;
    if ((p = find_param(values, count, "num_train_timesteps"))) c.num_train_timesteps = p->int_value;
    if ((p = find_param(values, count, "beta_start"))) c.beta_start = p->float_value;
    if ((p = find_param(values, count, "beta_end"))) c.beta_end = p->float_value;
    if ((p = find_param(values, count, "prediction_type")) && p->string_value)
        c.v_prediction = strcmp(p->string_value, "v_prediction") == 0;
    if ((st = read_config(host, scheduler_config_json, values, count, &c)) != LDMP_OK) return st;
    s = host->alloc(host, sizeof *s);
    if (!s) return fail(host, LDMP_ERR_INTERNAL, "example-euler: out of memory");
    s->host = host;
    s->config = c;
    *out = s;
    return LDMP_OK;
}

static void s_destroy(ldmp_sampler *s) {
    const ldmp_host *host;
    if (!s) return;
    host = s->host;
    host->free(host, s->timesteps);
    host->free(host, s->sigmas);
    host->free(host, s);
}

static int32_t s_set_timesteps(ldmp_sampler *s, uint32_t n) {
    double *t, *sg;
    char msg[160];
    if (n == 0 || (int64_t)n > s->config.num_train_timesteps) {
        snprintf(msg, sizeof msg, "example-euler: %u steps out of range 1…%lld (num_train_timesteps)", n,
                 (long long)s->config.num_train_timesteps);
        return fail(s->host, LDMP_ERR_INVALID_ARGUMENT, msg);
    }
    t = s->host->alloc(s->host, n * sizeof *t);
    sg = s->host->alloc(s->host, (n + 1) * sizeof *sg);
    if (!t || !sg) {
        s->host->free(s->host, t);
        s->host->free(s->host, sg);
        return fail(s->host, LDMP_ERR_INTERNAL, "example-euler: out of memory");
    }
    make_schedule(&s->config, n, t, sg);
    s->host->free(s->host, s->timesteps);
    s->host->free(s->host, s->sigmas);
    s->timesteps = t;
    s->sigmas = sg;
    s->n = n;
    return LDMP_OK;
}

static uint32_t s_call_count(const ldmp_sampler *s) { return s->n; }

static double s_timestep(const ldmp_sampler *s, uint32_t call) { return call < s->n ? s->timesteps[call] : 0.0; }

static double s_init_noise_sigma(const ldmp_sampler *s) {
    double m = 0;
    uint32_t i;
    for (i = 0; i < s->n; i++) if (s->sigmas[i] > m) m = s->sigmas[i];
    m = (double)(float)m;
    return s->config.spacing == SPACING_LEADING ? sqrt(m * m + 1.0) : m;
}

/* F32, contiguous, non-NULL; returns the element count or -1. */
static int64_t f32_count(const ldmp_tensor *t) {
    int64_t n = 1, stride = 1;
    uint32_t k;
    if (!t || t->struct_size < sizeof(ldmp_tensor) || t->dtype != LDMP_DTYPE_F32 || t->rank > LDMP_MAX_RANK)
        return -1;
    for (k = t->rank; k-- > 0;) {
        if (t->shape[k] != 1 && t->strides[k] != stride) return -1;
        stride *= t->shape[k];
    }
    n = stride;
    return (n > 0 && !t->data) ? -1 : n;
}

static int32_t s_scale_model_input(ldmp_sampler *s, uint32_t call, ldmp_tensor *sample) {
    int64_t n = f32_count(sample), i;
    float *x;
    float scale;
    if (call >= s->n) return fail(s->host, LDMP_ERR_INVALID_ARGUMENT, "example-euler: call out of range");
    if (n < 0) return fail(s->host, LDMP_ERR_INVALID_ARGUMENT, "example-euler: sample must be contiguous F32");
    x = sample->data;
    scale = (float)sqrt(s->sigmas[call] * s->sigmas[call] + 1.0);
    for (i = 0; i < n; i++) x[i] = x[i] / scale;
    return LDMP_OK;
}

static int32_t s_step(ldmp_sampler *s, uint32_t call, const ldmp_tensor *model_output, const ldmp_tensor *sample,
                      const ldmp_tensor *noise, ldmp_tensor *prev_sample, ldmp_tensor *pred_original) {
    int64_t n = f32_count(sample), i;
    const float *eps, *x;
    float *prev, *x0;
    float sigma, sigma_next, dt, v_scale, v_den;
    (void)noise; /* s_churn = 0: deterministic */
    if (call >= s->n) return fail(s->host, LDMP_ERR_INVALID_ARGUMENT, "example-euler: call out of range");
    if (n < 0 || f32_count(model_output) != n || f32_count(prev_sample) != n ||
        (pred_original && f32_count(pred_original) != n))
        return fail(s->host, LDMP_ERR_INVALID_ARGUMENT,
                    "example-euler: step tensors must be contiguous F32 of one size");
    eps = model_output->data;
    x = sample->data;
    prev = prev_sample->data;
    x0 = pred_original ? pred_original->data : NULL;
    sigma = (float)s->sigmas[call];
    sigma_next = (float)s->sigmas[call + 1];
    dt = sigma_next - sigma;
    v_scale = -sigma / sqrtf(sigma * sigma + 1.0f);
    v_den = sigma * sigma + 1.0f;
    for (i = 0; i < n; i++) {
        /* x0 from ε or v; derivative = (x − x0)/σ; x_prev = x + derivative·(σ_next − σ). */
        float orig = s->config.v_prediction ? eps[i] * v_scale + x[i] / v_den : x[i] - sigma * eps[i];
        float derivative = (x[i] - orig) / sigma;
        float next = x[i] + derivative * dt;
        if (x0) x0[i] = orig;
        prev[i] = next; /* prev may alias x: x[i] is not read again */
    }
    return LDMP_OK;
}

static int32_t s_needs_noise(const ldmp_sampler *s) { (void)s; return 0; }

static const ldmp_sampler_vtable vtable = {
    sizeof(ldmp_sampler_vtable), s_create, s_destroy, s_set_timesteps, s_call_count, s_timestep,
    s_init_noise_sigma, s_scale_model_input, s_step, s_needs_noise,
    NULL, NULL, /* set_begin_call, add_noise: optional; without them the host refuses img2img */
};

/* ---- an action: `ldmprobe action example-euler write_sigmas OUTPUT STEPS` ------------------------------ */

static int32_t write_sigmas(const ldmp_host *host, const char *output, int64_t steps) {
    double *t, *sg;
    FILE *f;
    int64_t i;
    char msg[512];
    if (steps < 1 || steps > default_config.num_train_timesteps) {
        snprintf(msg, sizeof msg, "example-euler: steps %lld out of range 1…%lld", (long long)steps,
                 (long long)default_config.num_train_timesteps);
        return fail(host, LDMP_ERR_INVALID_ARGUMENT, msg);
    }
    t = malloc((size_t)steps * sizeof *t);
    sg = malloc((size_t)(steps + 1) * sizeof *sg);
    if (!t || !sg) { free(t); free(sg); return fail(host, LDMP_ERR_INTERNAL, "example-euler: out of memory"); }
    make_schedule(&default_config, (uint32_t)steps, t, sg);
    f = fopen(output, "w");
    if (!f) {
        free(t); free(sg);
        snprintf(msg, sizeof msg, "example-euler: cannot write %s (hint: does its folder exist?)", output);
        return fail(host, LDMP_ERR_IO, msg);
    }
    fprintf(f, "# call timestep sigma (example-euler, default parameters)\n");
    for (i = 0; i < steps; i++) fprintf(f, "%lld %.1f %.9g\n", (long long)i, t[i], sg[i]);
    fclose(f);
    free(t);
    free(sg);
    if (host && host->log) host->log(host, LDMP_LOG_INFO, "example-euler: wrote the sigma schedule");
    return LDMP_OK;
}

static const uint32_t write_sigmas_types[] = { LDMP_ARG_PATH, LDMP_ARG_INT };
static const char *const write_sigmas_names[] = { "output", "steps" };

static const ldmp_action_desc actions[] = {
    { sizeof(ldmp_action_desc), "write_sigmas", "write the timestep/sigma schedule for STEPS steps to OUTPUT",
      2, write_sigmas_types, write_sigmas_names, (void (*)(void))write_sigmas },
};

/* ---- the descriptor and the entry -------------------------------------------------------------------------- */

static const ldmp_plugin_desc descriptor = {
    sizeof(ldmp_plugin_desc), LDMP_KIND_SAMPLER, "example-euler", { 1, 0, 0 },
    "Euler sampler in plain C (diffusers EulerDiscreteScheduler, s_churn 0): the SDK example",
    PARAM_COUNT, params, 1, actions, &vtable,
    0,    /* capabilities: step(call) depends only on its arguments, so not LDMP_CAP_SAMPLER_STATEFUL */
    NULL, /* capabilities_for */
};

static int32_t lib_init(const ldmp_host *host, const char *library_path) {
    (void)host;
    (void)library_path;
    return LDMP_OK;
}

static void lib_deinit(void) {}

static uint32_t lib_plugin_count(void) { return 1; }

static const ldmp_plugin_desc *lib_describe(uint32_t index) { return index == 0 ? &descriptor : NULL; }

static const ldmp_entry entry = {
    sizeof(ldmp_entry), LDMP_ABI_VERSION_INIT, lib_init, lib_deinit, lib_plugin_count, lib_describe,
};

LDMP_EXPORT const ldmp_entry *ldmprobe_entry_v1(void) { return &entry; }
