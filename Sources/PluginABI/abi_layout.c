/* Compile-time checks of the ABI's layout rules: every struct starts with its size (or, for ldmp_version, is a
 * plain value). Fails the build if someone inserts a field before struct_size. */
#include <stddef.h>
#include "ldmprobe/ldmprobe.h"

#define STARTS_WITH_SIZE(T) _Static_assert(offsetof(T, struct_size) == 0, #T " must start with struct_size")
STARTS_WITH_SIZE(ldmp_tensor);
STARTS_WITH_SIZE(ldmp_host);
STARTS_WITH_SIZE(ldmp_param_desc);
STARTS_WITH_SIZE(ldmp_param_value);
STARTS_WITH_SIZE(ldmp_action_desc);
STARTS_WITH_SIZE(ldmp_plugin_desc);
STARTS_WITH_SIZE(ldmp_entry);
STARTS_WITH_SIZE(ldmp_sampler_vtable);
STARTS_WITH_SIZE(ldmp_probe_spec);
STARTS_WITH_SIZE(ldmp_probe_vtable);
STARTS_WITH_SIZE(ldmp_classifier_vtable);
STARTS_WITH_SIZE(ldmp_labeler_vtable);
