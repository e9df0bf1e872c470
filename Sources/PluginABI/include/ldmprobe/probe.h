/* ldmprobe plugin ABI — probes: per-token maps from a layer's activation to a per-pixel label.
 *
 * One instance learns one (layer, step, property). The host streams training examples (add_example), calls fit,
 * then predicts on held-out images. Activations are F32 [C, h, w] (the conditional branch at one UNet call,
 * tokens row-major over h, w); labels and predictions live at label resolution [H, W] (H, W ≥ h, w): a probe
 * upsamples its per-token output to it (the studies: nearest neighbour) and computes its loss there.
 * Thread rules: one instance is used by one thread at a time; distinct instances may be used concurrently
 * (thread tags: version.h). A probe whose statistics do not grow with the examples declares
 * LDMP_CAP_PROBE_ONE_PASS (plugin.h), per parameter list if need be.
 * int32_t results are ldmp_status values. Tensors are the host's, valid during the call only: a probe copies or
 * folds into statistics what it needs before returning.
 */
#ifndef LDMPROBE_PROBE_H
#define LDMPROBE_PROBE_H

#include <stdint.h>
#include "host.h"
#include "params.h"
#include "tensor.h"
#include "label.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ldmp_probe ldmp_probe; /* opaque instance, owned by the plugin */

/** What an instance is asked to learn. */
typedef struct ldmp_probe_spec {
    uint32_t struct_size;        /* sizeof(ldmp_probe_spec) */
    uint32_t label_kind;         /* an ldmp_label_kind. binary: `outputs` = 2 logits, cross-entropy;
                                    continuous: 1 output */
    uint32_t channels;           /* C of the activations */
    uint32_t outputs;            /* 2 for binary, 1 for continuous */
    uint64_t seed;               /* for initialisation and shuffling: same seed, same probe */
} ldmp_probe_spec;

typedef struct ldmp_probe_vtable {
    uint32_t struct_size; /* sizeof(ldmp_probe_vtable) */

    /** Creates an instance; spec and params (step with LDMP_ARRAY_AT) are read during the call. The host frees
     *  *out with destroy. [thread-safe] */
    int32_t (*create)(const ldmp_host *host, const ldmp_param_value *params, uint32_t param_count,
                      const ldmp_probe_spec *spec, ldmp_probe **out);

    /** Frees the instance (NULL allowed). [instance-thread] */
    void (*destroy)(ldmp_probe *probe);

    /** Adds one training example: activation F32 [C, h, w], label F32 [H, W] (binary: 0/1).
     *  [instance-thread] */
    int32_t (*add_example)(ldmp_probe *probe, const ldmp_tensor *activation, const ldmp_tensor *label);

    /** Fits on every example added so far (replacing earlier weights). May report progress.
     *  [instance-thread] */
    int32_t (*fit)(ldmp_probe *probe);

    /** Predicts F32 [outputs, H, W] into out (host-allocated; H, W taken from out's shape): logits for binary
     *  labels, values for continuous ones, upsampled as the probe documents. [instance-thread] */
    int32_t (*predict)(ldmp_probe *probe, const ldmp_tensor *activation, ldmp_tensor *out);

    /** Exposes the fitted weights: weight F32 [outputs, C]; bias F32 [outputs] or rank-1 shape [0] when the probe
     *  has none. Views point into the instance and stay valid until the next fit, set_weights or destroy.
     *  [instance-thread] */
    int32_t (*get_weights)(const ldmp_probe *probe, ldmp_tensor *weight, ldmp_tensor *bias);

    /** Replaces the weights (copied): weight F32 [outputs, C], bias F32 [outputs] or NULL for none.
     *  [instance-thread] */
    int32_t (*set_weights)(ldmp_probe *probe, const ldmp_tensor *weight, const ldmp_tensor *bias);

    /** For interventions: the probe's loss against target F32 [H, W] at activation [C, h, w], and its gradient
     *  with respect to the activation, written into grad F32 [C, h, w] (host-allocated). *loss receives the loss.
     *  Optional: NULL when the probe is not differentiable in closed form. [instance-thread] */
    int32_t (*loss_gradient)(ldmp_probe *probe, const ldmp_tensor *activation, const ldmp_tensor *target,
                             ldmp_tensor *grad, double *loss);

    /** Adds the training statistics of `other` (an instance of the same plugin and spec) into `into`, so that
     *  shards fitted apart combine exactly. Optional: NULL when unsupported.
     *  [instance-thread] on both instances. */
    int32_t (*merge)(ldmp_probe *into, const ldmp_probe *other);

    /* ---- ABI 1.2: training statistics as data, so that shards fitted in other processes combine. ---- */

    /** Exposes the training statistics accumulated so far (by add_example, merge and import_state; not the
     *  fitted weights) as one F64 [n] vector into *state: a view into the instance, valid until the next call on
     *  it. Its layout is the plugin's own; it must be deterministic (the same examples in the same order give
     *  the same bytes) and what import_state reads. Optional: NULL (or LDMP_ERR_UNSUPPORTED for parameters that
     *  keep examples rather than statistics, e.g. linear with fit=adam). [instance-thread] */
    int32_t (*export_state)(ldmp_probe *probe, ldmp_tensor *state);

    /** Adds a vector that export_state gave (an instance of the same plugin, parameters and spec) into the
     *  instance's statistics, as merge adds an instance: importing into a fresh instance reproduces the
     *  exporter's statistics bit for bit. Optional: NULL exactly when export_state is. [instance-thread] */
    int32_t (*import_state)(ldmp_probe *probe, const ldmp_tensor *state);
} ldmp_probe_vtable;

#ifdef __cplusplus
}
#endif

#endif
