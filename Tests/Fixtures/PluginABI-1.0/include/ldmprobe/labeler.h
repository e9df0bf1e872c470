/* ldmprobe plugin ABI — labelers: import (or estimate) a per-pixel label for each generated image.
 *
 * Importers read a folder with one file per image, named `<image id>.<ext>` (e.g. TRACER masks, MiDaS depth);
 * estimators compute the label from the image itself. Either way the host asks for one image's label at a time,
 * at the size it wants (the labeler resizes with a method it documents and normalises as its parameters say).
 * Thread rules: one instance is used by one thread at a time. int32_t results are ldmp_status values.
 */
#ifndef LDMPROBE_LABELER_H
#define LDMPROBE_LABELER_H

#include <stdint.h>
#include "host.h"
#include "params.h"
#include "tensor.h"
#include "label.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ldmp_labeler ldmp_labeler; /* opaque instance, owned by the plugin */

typedef struct ldmp_labeler_vtable {
    uint32_t struct_size; /* sizeof(ldmp_labeler_vtable) */

    /** Creates an instance. source: the label folder (importers) or "" (estimators); read during the call.
     *  params: every declared parameter in order. The host frees *out with destroy. */
    int32_t (*create)(const ldmp_host *host, const ldmp_param_value *params, uint32_t param_count,
                      const char *source, ldmp_labeler **out);

    /** Frees the instance (NULL allowed). */
    void (*destroy)(ldmp_labeler *labeler);

    /** The kind of label this instance yields (may depend on its parameters). */
    ldmp_label_kind (*label_kind)(const ldmp_labeler *labeler);

    /** Writes the label of `image_id` into out: F32 [height, width], allocated by the host, contiguous; the
     *  height and width asked for are out->shape[0..1]. Binary labels are written as 0/1.
     *  image: the generated image, U8 [H, W, 3] RGB, or NULL when the host has none; estimators require it.
     *  Returns LDMP_ERR_NOT_FOUND (after report_error naming the id and folder) when no label exists. */
    int32_t (*load)(ldmp_labeler *labeler, const char *image_id, const ldmp_tensor *image, ldmp_tensor *out);
} ldmp_labeler_vtable;

#ifdef __cplusplus
}
#endif

#endif
