/* ldmprobe plugin ABI — versioning.
 *
 * Rules (see docs/plugins.md):
 *  - The ABI version is major.minor. A host loads a plugin only if the majors are equal; a plugin built against a
 *    newer minor than the host knows is still loaded, and the host never reads struct fields it does not know
 *    (every struct starts with its size, LV2/OBS-style).
 *  - A minor bump may only append fields to structs and append functions to vtables. Anything else is a major bump,
 *    which also renames the entry symbol (ldmprobe_entry_v1 → ldmprobe_entry_v2), so an old host never even
 *    finds a new plugin's entry (VapourSynth-style).
 */
#ifndef LDMPROBE_VERSION_H
#define LDMPROBE_VERSION_H

#include <stdint.h>

#define LDMP_ABI_VERSION_MAJOR 1u
#define LDMP_ABI_VERSION_MINOR 0u

/** A version, e.g. of the ABI or of a plugin. */
typedef struct ldmp_version {
    uint32_t major;
    uint32_t minor;
    uint32_t patch;
} ldmp_version;

#define LDMP_ABI_VERSION_INIT { LDMP_ABI_VERSION_MAJOR, LDMP_ABI_VERSION_MINOR, 0u }

/** Status codes returned by every fallible ABI function. Details go through ldmp_host.report_error first. */
typedef enum ldmp_status {
    LDMP_OK = 0,
    LDMP_ERR_INVALID_ARGUMENT = 1, /* a wrong shape, dtype, index or parameter value */
    LDMP_ERR_IO = 2,               /* a file could not be read or written */
    LDMP_ERR_NOT_FOUND = 3,        /* e.g. a label file missing for an image id */
    LDMP_ERR_UNSUPPORTED = 4,      /* the plugin does not implement this optional function or mode */
    LDMP_ERR_INTERNAL = 5          /* anything else; the message says what */
} ldmp_status;

#endif
