/* ldmprobe plugin ABI — what kind of label a property is (shared by labelers and probes). */
#ifndef LDMPROBE_LABEL_H
#define LDMPROBE_LABEL_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ldmp_label_kind {
    LDMP_LABEL_BINARY = 0,      /* per-pixel 0/1 (foreground) */
    LDMP_LABEL_CONTINUOUS = 1   /* per-pixel real value (depth, shading) */
} ldmp_label_kind;

#ifdef __cplusplus
}
#endif

#endif
