/* ldmprobe plugin ABI — the descriptor every plugin has, whatever its kind. */
#ifndef LDMPROBE_PLUGIN_H
#define LDMPROBE_PLUGIN_H

#include <stdint.h>
#include "version.h"
#include "params.h"
#include "action.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ldmp_plugin_kind {
    LDMP_KIND_SAMPLER = 0,     /* sampler.h */
    LDMP_KIND_PROBE = 1,       /* probe.h */
    LDMP_KIND_CLASSIFIER = 2,  /* classifier.h */
    LDMP_KIND_LABELER = 3      /* labeler.h */
} ldmp_plugin_kind;

/** Describes one plugin. Owned by the plugin; valid from init until deinit of its library. */
typedef struct ldmp_plugin_desc {
    uint32_t struct_size;              /* sizeof(ldmp_plugin_desc) */
    ldmp_plugin_kind kind;
    const char *name;                  /* [a-z0-9_-]+, what users type: `--sampler ddim` */
    ldmp_version version;              /* the plugin's own version */
    const char *description;           /* one line */
    uint32_t param_count;
    const ldmp_param_desc *params;     /* param_count entries (NULL when 0) */
    uint32_t action_count;
    const ldmp_action_desc *actions;   /* action_count entries (NULL when 0) */
    const void *vtable;                /* the kind's vtable: ldmp_sampler_vtable, ldmp_probe_vtable, … */
} ldmp_plugin_desc;

#ifdef __cplusplus
}
#endif

#endif
