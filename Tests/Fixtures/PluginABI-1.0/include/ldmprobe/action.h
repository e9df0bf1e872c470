/* ldmprobe plugin ABI — named actions with a C signature, run by `ldmprobe action PLUGIN ACTION [ARGS…]`.
 *
 * A plugin may declare actions (convert weights, preview a label, …). The host parses the command-line arguments
 * against the declared argument types and calls `fn` through libffi as
 *     int32_t fn(const ldmp_host *host, <arg 0>, <arg 1>, …)   // returns an ldmp_status
 * with each argument passed as its C type below. Actions run on the main thread; strings are owned by the host
 * and valid during the call only.
 */
#ifndef LDMPROBE_ACTION_H
#define LDMPROBE_ACTION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ldmp_arg_type {
    LDMP_ARG_STRING = 0,  /* const char * */
    LDMP_ARG_PATH = 1,    /* const char *, resolved against the working directory */
    LDMP_ARG_INT = 2,     /* int64_t */
    LDMP_ARG_FLOAT = 3,   /* double */
    LDMP_ARG_BOOL = 4     /* int32_t, 0 or 1 */
} ldmp_arg_type;

#define LDMP_MAX_ACTION_ARGS 16

typedef struct ldmp_action_desc {
    uint32_t struct_size;             /* sizeof(ldmp_action_desc) */
    const char *name;                 /* [a-z0-9_-]+ */
    const char *help;                 /* one line */
    uint32_t arg_count;               /* ≤ LDMP_MAX_ACTION_ARGS, not counting the leading host pointer */
    const ldmp_arg_type *arg_types;   /* arg_count entries */
    const char *const *arg_names;     /* arg_count entries, for usage lines */
    void (*fn)(void);                 /* the function; cast by the host to the declared signature */
} ldmp_action_desc;

#ifdef __cplusplus
}
#endif

#endif
