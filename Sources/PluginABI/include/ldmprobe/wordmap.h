/* ldmprobe plugin ABI — word maps (since 1.2): per-word maps from cross-attention probabilities (DAAM and kin).
 *
 * One instance serves one image at a time: begin(image) names the prompt's words as spans of text-encoder token
 * positions; the host then adds every cross-attention probability capture it has (layer path, UNet call,
 * conditional branch); finish writes one map per word at the size the host asks for. The plugin chooses which
 * layers, heads and calls take part, how maps are upsampled, combined and normalised (its parameters); the host
 * only thresholds the maps with mask_threshold where it needs a mask.
 * Thread rules: one instance is used by one thread at a time; distinct instances may be used concurrently.
 * int32_t results are ldmp_status values. Everything the host passes (image, layer, tensors) is the host's and
 * valid during the call only: the plugin copies or folds what it needs before returning.
 */
#ifndef LDMPROBE_WORDMAP_H
#define LDMPROBE_WORDMAP_H

#include <stdint.h>
#include "host.h"
#include "params.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ldmp_wordmap ldmp_wordmap; /* opaque instance, owned by the plugin */

/** One image: its latent size and its words. Token positions index the text encoder's sequence: 0 is the start
 *  token, 1 the prompt's first token, prompt_tokens + 1 the end token; all are < token_count. */
typedef struct ldmp_wordmap_image {
    uint32_t struct_size;          /* sizeof(ldmp_wordmap_image) */
    uint32_t latent_height;        /* h, w of the latent: a layer's h·w positions are a downsampling of it */
    uint32_t latent_width;
    uint32_t token_count;          /* S, the last dimension of the probabilities (77 for CLIP) */
    uint32_t prompt_tokens;        /* the prompt's tokens without start and end token (≤ token_count − 2) */
    uint32_t word_count;           /* maps finish writes */
    const uint32_t *word_starts;   /* word_count + 1 ascending offsets into positions: word i is
                                      positions[word_starts[i] ..< word_starts[i + 1]] (a word may be empty) */
    const uint32_t *positions;     /* word_starts[word_count] token positions */
} ldmp_wordmap_image;

typedef struct ldmp_wordmap_vtable {
    uint32_t struct_size; /* sizeof(ldmp_wordmap_vtable) */

    /** Creates an instance; params (step with LDMP_ARRAY_AT) are read during the call. The host frees *out with
     *  destroy. [thread-safe] */
    int32_t (*create)(const ldmp_host *host, const ldmp_param_value *params, uint32_t param_count,
                      ldmp_wordmap **out);

    /** Frees the instance (NULL allowed). [instance-thread] */
    void (*destroy)(ldmp_wordmap *wm);

    /** Starts an image, dropping everything added for the previous one. image is copied. [instance-thread] */
    int32_t (*begin)(ldmp_wordmap *wm, const ldmp_wordmap_image *image);

    /** Adds one capture: `layer` is the capture path (`…attn2.probs`, NUL-terminated), `call` the UNet call
     *  (0 = first), probabilities F32 [heads, h·w, token_count] of the conditional branch. Layers and calls the
     *  plugin's parameters leave out are accepted and ignored. The host adds each (layer, call) at most once per
     *  image, in any order. [instance-thread] */
    int32_t (*add)(ldmp_wordmap *wm, const char *layer, uint32_t call, const ldmp_tensor *probabilities);

    /** Writes the word maps F32 [word_count, H, W] into maps (host-allocated; H, W ≥ 1 taken from its shape,
     *  typically the image or label size). May be called several times (other sizes) until the next begin; it
     *  does not change the instance's state. LDMP_ERR_INVALID_ARGUMENT when nothing usable was added.
     *  [instance-thread] */
    int32_t (*finish)(ldmp_wordmap *wm, ldmp_tensor *maps);

    /** The value above which a map's pixel is in the word's mask (DAAM: τ = 0.4 on min-max normalised maps).
     *  [instance-thread] */
    double (*mask_threshold)(const ldmp_wordmap *wm);
} ldmp_wordmap_vtable;

#ifdef __cplusplus
}
#endif

#endif
