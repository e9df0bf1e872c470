/* ldmprobe plugin ABI — the one symbol a plugin library exports.
 *
 *     const ldmp_entry *ldmprobe_entry_v1(void);
 *
 * A shared library exports exactly this symbol (enforce it with a linker version script; see Plugins/exports.map)
 * and may hold several plugins (a factory: count, then describe each). The host:
 *   1. dlopens the library and looks up LDMP_ENTRY_SYMBOL; no symbol = not an ldmprobe plugin of this major;
 *   2. calls it and checks entry->struct_size and entry->abi.major == LDMP_ABI_VERSION_MAJOR;
 *   3. calls init(host, path) once; on failure it calls nothing else (not even deinit);
 *   4. reads plugin_count() descriptors with describe(i), validating each;
 *   5. calls deinit() at exit. Libraries are never dlclosed (a Swift runtime cannot be unloaded safely).
 * All of these run on the host's main thread.
 */
#ifndef LDMPROBE_ENTRY_H
#define LDMPROBE_ENTRY_H

#include <stdint.h>
#include "version.h"
#include "host.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LDMP_ENTRY_SYMBOL "ldmprobe_entry_v1"

typedef struct ldmp_entry {
    uint32_t struct_size;   /* sizeof(ldmp_entry) */
    ldmp_version abi;       /* the ABI the library was built against: LDMP_ABI_VERSION_INIT */

    /** Initialises the library. host lives until deinit; library_path is copied if needed. Returns LDMP_OK or an
     *  error (after host->report_error). Called once. [main-thread] */
    int32_t (*init)(const ldmp_host *host, const char *library_path);

    /** Releases what init acquired. Called once, only after a successful init. [main-thread] */
    void (*deinit)(void);

    /** Number of plugins in this library. [main-thread] */
    uint32_t (*plugin_count)(void);

    /** Descriptor of plugin index (< plugin_count), or NULL. Owned by the library. [main-thread] */
    const ldmp_plugin_desc *(*describe)(uint32_t index);
} ldmp_entry;

/** The exported entry point. Returns a pointer to static data; never NULL. */
typedef const ldmp_entry *(*ldmp_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif
