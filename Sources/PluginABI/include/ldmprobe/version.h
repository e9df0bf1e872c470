/* ldmprobe plugin ABI — versioning, and the conventions every header follows.
 *
 * Versions (see docs/plugins.md):
 *  - The ABI version is major.minor. A host loads a plugin only if the majors are equal, whatever the minors: a
 *    plugin built against an older minor keeps loading in a newer host, and one built against a newer minor loads
 *    in an older host, which reads only the fields it knows.
 *  - A minor version may only ADD: fields appended at the end of a struct, functions appended at the end of a
 *    vtable or of ldmp_host, new LDMP_CAP_* bits, new enum constants, new headers. Appended members are documented
 *    "since 1.x" and are read only when the writer's struct_size covers them; an old writer's shorter struct means
 *    "absent" (capabilities 0, function NULL).
 *  - Anything else (removing, reordering, resizing or retyping a member, changing a function's meaning) is a major
 *    bump, which also renames the entry symbol (ldmprobe_entry_v1 → ldmprobe_entry_v2), so that an old host never
 *    even finds a new plugin's entry.
 *  - 1.0: the first frozen ABI. 1.1: fixed-width enum-valued fields (same layout as 1.0), the
 *    descriptor's capabilities, host JSON readers for a sampler's scheduler config, LDMP_EXPORT and the entry
 *    prototype, the array stride rule, the ownership rule of host->alloc.
 *  - 1.2 (this one): the probe's export_state/import_state; the word-map kind (wordmap.h, LDMP_KIND_WORDMAP).
 *
 * Structs: every struct starts with uint32_t struct_size = sizeof the struct as its writer compiled it. A reader
 * never reads past struct_size. Enum-valued fields are uint32_t (an enum's size is the compiler's choice); the
 * enums below and in the other headers only name their values.
 *
 * Arrays of versioned structs (ldmp_param_desc[] and ldmp_action_desc[] in a descriptor, ldmp_param_value[] handed
 * to create): every element has the same struct_size, and the reader steps through the array by the FIRST
 * element's struct_size, never by its own sizeof — use LDMP_ARRAY_AT. (The host builds every array it passes with
 * elements of its own sizeof; ldmp_param_value keeps its 1.0 size throughout major 1, so that plugins that
 * indexed it with sizeof before this rule was written keep working.)
 *
 * Thread tags on every function:
 *   [main-thread]      called by the host on its main thread only;
 *   [thread-safe]      may be called from any thread, also concurrently (plugins: the host's functions;
 *                      host: create, which may build several instances at once);
 *   [instance-thread]  any thread, but never two calls at once on the same instance; distinct instances may be
 *                      used concurrently.
 */
#ifndef LDMPROBE_VERSION_H
#define LDMPROBE_VERSION_H

#include <stddef.h>
#include <stdint.h>

#define LDMP_ABI_VERSION_MAJOR 1u
#define LDMP_ABI_VERSION_MINOR 2u

/** A version, e.g. of the ABI or of a plugin. */
typedef struct ldmp_version {
    uint32_t major;
    uint32_t minor;
    uint32_t patch;
} ldmp_version;

#define LDMP_ABI_VERSION_INIT { LDMP_ABI_VERSION_MAJOR, LDMP_ABI_VERSION_MINOR, 0u }

/** Element `index` of an array of versioned structs of `type` starting at `base` (const): elements are
 *  base->struct_size bytes apart. */
#define LDMP_ARRAY_AT(type, base, index) \
    ((const type *)(const void *)((const char *)(base) + (size_t)(index) * (size_t)(base)->struct_size))

/** Status codes returned (as int32_t) by every fallible ABI function. Details go through ldmp_host.report_error
 *  first. */
typedef enum ldmp_status {
    LDMP_OK = 0,
    LDMP_ERR_INVALID_ARGUMENT = 1, /* a wrong shape, dtype, index or parameter value */
    LDMP_ERR_IO = 2,               /* a file could not be read or written */
    LDMP_ERR_NOT_FOUND = 3,        /* e.g. a label file missing for an image id */
    LDMP_ERR_UNSUPPORTED = 4,      /* the plugin does not implement this optional function or mode */
    LDMP_ERR_INTERNAL = 5          /* anything else; the message says what */
} ldmp_status;

#endif
