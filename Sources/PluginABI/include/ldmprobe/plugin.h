/* ldmprobe plugin ABI — the descriptor every plugin has, whatever its kind.
 *
 * Capabilities (since 1.1) tell the host what a plugin does, so that it never guesses from parameter names:
 * `capabilities` holds every LDMP_CAP_* bit the plugin may have; when some hold only for some parameter values
 * (the linear probe is one-pass only with fit=lstsq), capabilities_for(params) returns the bits that hold for one
 * complete parameter list (the host keeps only those also set in `capabilities`). A 1.0 descriptor (struct_size
 * without these fields) has none. */
#ifndef LDMPROBE_PLUGIN_H
#define LDMPROBE_PLUGIN_H

#include <stdint.h>
#include "version.h"
#include "params.h"
#include "action.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Plugin kinds (carried as uint32_t). */
typedef enum ldmp_plugin_kind {
    LDMP_KIND_SAMPLER = 0,     /* sampler.h */
    LDMP_KIND_PROBE = 1,       /* probe.h */
    LDMP_KIND_CLASSIFIER = 2,  /* classifier.h */
    LDMP_KIND_LABELER = 3,     /* labeler.h */
    LDMP_KIND_WORDMAP = 4      /* wordmap.h (since 1.2) */
} ldmp_plugin_kind;

/** Capability bits (ldmp_plugin_desc.capabilities). A bit of another kind than the plugin's makes the descriptor
 *  malformed; bits a host does not know (from a newer minor) are ignored. */
/** Probe: add_example folds each example into statistics of a size fixed by the spec (not growing with the
 *  number of examples) and fit needs nothing else, so the host may stream examples once and drop them. */
#define LDMP_CAP_PROBE_ONE_PASS 0x1ull
/** Sampler: step(call) depends on earlier calls of the same instance (PNDM, K-LMS keep past outputs), so calls
 *  must come in order 0, 1, … on one instance per image. Without it, step(call) depends only on its arguments. */
#define LDMP_CAP_SAMPLER_STATEFUL 0x2ull
/** Labeler: load() computes the label from the image (an estimator) and fails without one. */
#define LDMP_CAP_LABELER_NEEDS_IMAGE 0x4ull
/** Every bit this version defines. */
#define LDMP_CAP_ALL_1_1 0x7ull

/** Describes one plugin. Owned by the plugin; valid from init until deinit of its library. Read by the host on
 *  its main thread. */
typedef struct ldmp_plugin_desc {
    uint32_t struct_size;              /* sizeof(ldmp_plugin_desc) */
    uint32_t kind;                     /* an ldmp_plugin_kind */
    const char *name;                  /* [a-z0-9_-]+, what users type: `--sampler ddim` */
    ldmp_version version;              /* the plugin's own version */
    const char *description;           /* one line */
    uint32_t param_count;
    const ldmp_param_desc *params;     /* param_count entries (NULL when 0) */
    uint32_t action_count;
    const ldmp_action_desc *actions;   /* action_count entries (NULL when 0) */
    const void *vtable;                /* the kind's vtable: ldmp_sampler_vtable, ldmp_probe_vtable, … */

    /* since 1.1 */
    uint64_t capabilities;             /* LDMP_CAP_* bits the plugin may have (0: none) */

    /** The capabilities that hold with `params` (the complete list create() would receive; step it with
     *  LDMP_ARRAY_AT), or NULL when `capabilities` holds for every parameter list. Pure. [thread-safe] */
    uint64_t (*capabilities_for)(const ldmp_param_value *params, uint32_t param_count);
} ldmp_plugin_desc;

#ifdef __cplusplus
}
#endif

#endif
