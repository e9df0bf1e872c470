/* ldmprobe plugin ABI — typed parameters a plugin declares and the host sets from the command line.
 *
 * A plugin lists its parameters in its descriptor (plugin.h). The user writes `--sampler ddim:eta=0.0,…`; the host
 * parses each value, checks name, type, range and choices against the declaration (an error lists the valid ones),
 * fills in the default of every parameter not given, and passes the complete, ordered list to create().
 */
#ifndef LDMPROBE_PARAMS_H
#define LDMPROBE_PARAMS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ldmp_param_type {
    LDMP_PARAM_BOOL = 0,    /* "true"/"false"/"1"/"0" */
    LDMP_PARAM_INT = 1,     /* 64-bit signed */
    LDMP_PARAM_FLOAT = 2,   /* double */
    LDMP_PARAM_STRING = 3,
    LDMP_PARAM_PATH = 4,    /* a string the host resolves against the working directory */
    LDMP_PARAM_CHOICE = 5   /* one of `choices` */
} ldmp_param_type;

/** One declared parameter. All strings are owned by the plugin and live as long as the library is loaded. */
typedef struct ldmp_param_desc {
    uint32_t struct_size;       /* sizeof(ldmp_param_desc) */
    const char *name;           /* [a-z0-9_]+, unique within the plugin */
    ldmp_param_type type;
    const char *default_value;  /* as the user would type it; NULL or "" = no default (the parameter is required),
                                   except for STRING and PATH where "" is a valid default meaning "unset" */
    double min_value;           /* INT and FLOAT only; ignored when has_range is 0 */
    double max_value;
    int32_t has_range;          /* 1 when [min_value, max_value] applies (inclusive) */
    const char *choices;        /* CHOICE only: '|'-separated, e.g. "leading|trailing|linspace" */
    const char *help;           /* one line */
} ldmp_param_desc;

/** A parameter's value as handed to create(). Strings are owned by the host, valid during create() only. */
typedef struct ldmp_param_value {
    uint32_t struct_size;       /* sizeof(ldmp_param_value) */
    const char *name;
    ldmp_param_type type;
    int32_t is_set;             /* 1 if the user set it, 0 if the default was used */
    int64_t int_value;          /* BOOL (0/1) and INT */
    double float_value;         /* FLOAT */
    const char *string_value;   /* STRING, PATH and CHOICE; also the raw text for every type */
} ldmp_param_value;

#ifdef __cplusplus
}
#endif

#endif
