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
STARTS_WITH_SIZE(ldmp_wordmap_image);
STARTS_WITH_SIZE(ldmp_wordmap_vtable);

/* ABI 1.0's layout on LP64 (Linux x86_64 and aarch64, the platforms built and tested): the end of each struct's
 * last 1.0 field. A minor version may only append after these; moving one breaks every 1.0 plugin. */
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
#define END_1_0(T, field, bytes) \
    _Static_assert(offsetof(T, field) + sizeof(((T *)0)->field) == (bytes), #T "." #field " moved: ABI 1.0 broken")
END_1_0(ldmp_tensor, data, 152);
END_1_0(ldmp_host, free, 72);
END_1_0(ldmp_param_desc, help, 72);
END_1_0(ldmp_param_value, string_value, 48);
END_1_0(ldmp_action_desc, fn, 56);
END_1_0(ldmp_plugin_desc, vtable, 80);
END_1_0(ldmp_entry, describe, 48);
END_1_0(ldmp_sampler_vtable, needs_noise, 80);
END_1_0(ldmp_probe_spec, seed, 24);
END_1_0(ldmp_probe_vtable, merge, 80);
END_1_0(ldmp_classifier_vtable, classify, 48);
END_1_0(ldmp_labeler_vtable, load, 40);
_Static_assert(sizeof(ldmp_param_value) == 48, "ldmp_param_value keeps its 1.0 size in major 1 (version.h)");
#endif
