/* ldmprobe plugin ABI — what the host offers every plugin.
 *
 * The host hands a plugin this table at init; plugins call back through it and never link against the host.
 * The pointer stays valid from init until deinit. Functions marked [thread-safe] may be called from any thread.
 */
#ifndef LDMPROBE_HOST_H
#define LDMPROBE_HOST_H

#include <stdint.h>
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ldmp_severity {
    LDMP_LOG_DEBUG = 0,
    LDMP_LOG_INFO = 1,
    LDMP_LOG_WARNING = 2,
    LDMP_LOG_ERROR = 3
} ldmp_severity;

typedef struct ldmp_host ldmp_host;

struct ldmp_host {
    uint32_t struct_size;          /* sizeof(ldmp_host) as the host knows it; read no field past it */
    ldmp_version abi;              /* the host's ABI version */
    const char *host_version;      /* ldmprobe's version string; owned by the host */
    void *host_data;               /* opaque; for the host only */

    /** Logs one line (no trailing newline needed). msg is copied before return. [thread-safe] */
    void (*log)(const ldmp_host *host, ldmp_severity severity, const char *msg);

    /** Reports progress of a long task: done of total units (total 0 = unknown). stage names the task
     *  ("fit depth", …) and is copied. The host decides how (and how often) to show it. [thread-safe] */
    void (*progress)(const ldmp_host *host, const char *stage, int64_t done, int64_t total);

    /** Sets the error message for the failure the plugin is about to return from the current call (one line,
     *  naming the file, key or parameter at fault). msg is copied. The last message set on a thread wins and is
     *  shown with the failing call's status. [thread-safe] */
    void (*report_error)(const ldmp_host *host, const char *msg);

    /** Allocates zeroed memory that the host will free (used where the host takes ownership, as documented per
     *  function). Returns NULL on failure. [thread-safe] */
    void *(*alloc)(const ldmp_host *host, uint64_t size);

    /** Frees memory from alloc (NULL is allowed). [thread-safe] */
    void (*free)(const ldmp_host *host, void *ptr);
};

#ifdef __cplusplus
}
#endif

#endif
