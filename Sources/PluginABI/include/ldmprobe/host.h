/* ldmprobe plugin ABI — what the host offers every plugin.
 *
 * The host hands a plugin this table at init; plugins call back through it and never link against the host.
 * The pointer stays valid from init until deinit. Every function here is [thread-safe] (version.h). A plugin
 * built against 1.0 sees the 1.0 fields only; one built against a newer minor checks struct_size before reading
 * a field added later (LDMP_HOST_HAS).
 */
#ifndef LDMPROBE_HOST_H
#define LDMPROBE_HOST_H

#include <stdint.h>
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Log severities (carried as uint32_t). */
typedef enum ldmp_severity {
    LDMP_LOG_DEBUG = 0,
    LDMP_LOG_INFO = 1,
    LDMP_LOG_WARNING = 2,
    LDMP_LOG_ERROR = 3
} ldmp_severity;

typedef struct ldmp_host ldmp_host;

/** 1 when the host's table holds `field` (a member added in a minor version), else 0. */
#define LDMP_HOST_HAS(host, field) \
    ((host)->struct_size >= offsetof(ldmp_host, field) + sizeof((host)->field) && (host)->field != NULL)

struct ldmp_host {
    uint32_t struct_size;          /* sizeof(ldmp_host) as the host knows it; read no field past it */
    ldmp_version abi;              /* the host's ABI version */
    const char *host_version;      /* ldmprobe's version string; owned by the host */
    void *host_data;               /* opaque; for the host only */

    /** Logs one line (no trailing newline needed). severity: an ldmp_severity. msg is copied before return.
     *  [thread-safe] */
    void (*log)(const ldmp_host *host, uint32_t severity, const char *msg);

    /** Reports progress of a long task: done of total units (total 0 = unknown). stage names the task
     *  ("fit depth", …) and is copied. The host decides how (and how often) to show it. [thread-safe] */
    void (*progress)(const ldmp_host *host, const char *stage, int64_t done, int64_t total);

    /** Sets the error message for the failure the plugin is about to return from the current call (one line,
     *  naming the file, key or parameter at fault). msg is copied. The last message set on a thread wins and is
     *  shown with the failing call's status. [thread-safe] */
    void (*report_error)(const ldmp_host *host, const char *msg);

    /** Allocates `size` zeroed bytes, or returns NULL (after report_error) on failure or size 0.
     *  Ownership: the memory belongs to the plugin that asked for it, which returns it with `free` (never free(3))
     *  before its library's deinit. No ABI function hands such memory across the boundary: the host never frees
     *  it on a plugin's behalf. It exists so that the host can account for what instances hold (`ldmprobe
     *  validate-plugin` checks that destroy returns every byte its instance took). [thread-safe] */
    void *(*alloc)(const ldmp_host *host, uint64_t size);

    /** Frees memory from alloc (NULL is allowed). [thread-safe] */
    void (*free)(const ldmp_host *host, void *ptr);

    /* ---- since 1.1: reading a JSON object, e.g. the scheduler_config_json a sampler's create() receives. ----
     * key names a top-level member. Each returns LDMP_OK, or:
     *   LDMP_ERR_NOT_FOUND        json is NULL, or has no such key, or its value is null (take your default);
     *   LDMP_ERR_INVALID_ARGUMENT the text is not a JSON object, or the value has another type, or a buffer is too
     *                             small — after report_error naming the key, what it holds and what was expected.
     * Both strings are read during the call only. Check struct_size before calling (a 1.0 host has none). */

    /** A number (true/false read as 1/0) into *out. [thread-safe] */
    int32_t (*json_number)(const ldmp_host *host, const char *json, const char *key, double *out);

    /** A string: *length receives its length in bytes (without the NUL); when buf is not NULL it is copied there,
     *  NUL-terminated, and must fit in capacity bytes (else LDMP_ERR_INVALID_ARGUMENT). buf NULL asks the length.
     *  [thread-safe] */
    int32_t (*json_string)(const ldmp_host *host, const char *json, const char *key, char *buf, uint64_t capacity,
                           uint64_t *length);

    /** An array of numbers: *count receives its length; when out is not NULL the numbers are written there and
     *  must fit in capacity elements (else LDMP_ERR_INVALID_ARGUMENT). out NULL asks the length. [thread-safe] */
    int32_t (*json_numbers)(const ldmp_host *host, const char *json, const char *key, double *out,
                            uint64_t capacity, uint64_t *count);
};

#ifdef __cplusplus
}
#endif

#endif
