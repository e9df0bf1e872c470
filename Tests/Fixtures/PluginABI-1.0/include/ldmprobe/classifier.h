/* ldmprobe plugin ABI — image classifiers (VGG-16, the demo world's object classifier, …).
 *
 * The host hands decoded images as they are; preprocessing (resize, crop, normalisation) is the plugin's and is
 * chosen by its parameters. Thread rules: one instance is used by one thread at a time. int32_t results are
 * ldmp_status values.
 */
#ifndef LDMPROBE_CLASSIFIER_H
#define LDMPROBE_CLASSIFIER_H

#include <stdint.h>
#include "host.h"
#include "params.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ldmp_classifier ldmp_classifier; /* opaque instance, owned by the plugin */

typedef struct ldmp_classifier_vtable {
    uint32_t struct_size; /* sizeof(ldmp_classifier_vtable) */

    /** Creates an instance (loading its weights as its parameters say). The host frees *out with destroy. */
    int32_t (*create)(const ldmp_host *host, const ldmp_param_value *params, uint32_t param_count,
                      ldmp_classifier **out);

    /** Frees the instance (NULL allowed). */
    void (*destroy)(ldmp_classifier *classifier);

    /** Number of classes. */
    uint32_t (*class_count)(const ldmp_classifier *classifier);

    /** Name of class `index` (< class_count), owned by the instance, valid until destroy; NULL if out of range. */
    const char *(*class_name)(const ldmp_classifier *classifier, uint32_t index);

    /** Classifies one image: U8 [H, W, 3] RGB of any size. Writes softmax probabilities into probabilities,
     *  F32 [class_count], host-allocated. */
    int32_t (*classify)(ldmp_classifier *classifier, const ldmp_tensor *image, ldmp_tensor *probabilities);
} ldmp_classifier_vtable;

#ifdef __cplusplus
}
#endif

#endif
