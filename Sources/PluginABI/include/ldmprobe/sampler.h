/* ldmprobe plugin ABI — samplers (diffusers "schedulers": DDIM, PNDM, K-LMS, …).
 *
 * A sampler is stateful (PNDM and K-LMS keep past noise predictions), so the host creates one instance per
 * pipeline run (per image) and drives it call by call:
 *
 *     create → set_timesteps(n) → x = noise · init_noise_sigma
 *     for call in 0 ..< call_count:
 *         t = timestep(call); xin = copy of x; scale_model_input(call, xin)
 *         eps = model(xin, t)            (after classifier-free guidance)
 *         step(call, eps, x, noise?, x_prev, x0?); x = x_prev
 *     destroy
 *
 * img2img (optional functions at the end of the vtable): after set_timesteps, set_begin_call(b), then
 * x = add_noise(b, encoded image, noise) and the loop above runs for call in b ..< call_count.
 *
 * "call" counts model evaluations, not user steps: PNDM makes 16 calls for 15 steps.
 * All tensors are F32, contiguous, and of one shape ([B, C, h, w] latents); they are owned by the host and valid
 * during the call only. Thread rules: one instance is used by one thread at a time; distinct instances may be used
 * concurrently (thread tags: version.h). A vtable function returning int32_t returns an ldmp_status.
 * A sampler whose step depends on earlier calls declares LDMP_CAP_SAMPLER_STATEFUL (plugin.h).
 */
#ifndef LDMPROBE_SAMPLER_H
#define LDMPROBE_SAMPLER_H

#include <stdint.h>
#include "host.h"
#include "params.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ldmp_sampler ldmp_sampler; /* opaque instance, owned by the plugin */

typedef struct ldmp_sampler_vtable {
    uint32_t struct_size; /* sizeof(ldmp_sampler_vtable) */

    /** Creates an instance. params: every declared parameter, in declaration order (params.h; step with
     *  LDMP_ARRAY_AT).
     *  scheduler_config_json: the text of a diffusers `scheduler/scheduler_config.json` (keys the sampler does not
     *  know are ignored; missing keys take the sampler's own diffusers defaults), or NULL for SD v1.4's config;
     *  read it with host->json_number / json_string / json_numbers (host.h). Both are read during the call only.
     *  On success *out is set; the host frees it with destroy. [thread-safe] */
    int32_t (*create)(const ldmp_host *host, const ldmp_param_value *params, uint32_t param_count,
                      const char *scheduler_config_json, ldmp_sampler **out);

    /** Frees the instance (NULL allowed). [instance-thread] */
    void (*destroy)(ldmp_sampler *sampler);

    /** Plans num_inference_steps steps and resets all state. [instance-thread] */
    int32_t (*set_timesteps)(ldmp_sampler *sampler, uint32_t num_inference_steps);

    /** Number of model calls planned by set_timesteps (0 before it). [instance-thread] */
    uint32_t (*call_count)(const ldmp_sampler *sampler);

    /** The timestep handed to the model at `call` (< call_count). Integer-valued for DDIM/PNDM, fractional for
     *  K-LMS with linspace spacing. [instance-thread] */
    double (*timestep)(const ldmp_sampler *sampler, uint32_t call);

    /** The factor the initial unit-variance noise is multiplied by (1 for DDIM/PNDM, σ_max-ish for K-LMS).
     *  [instance-thread] */
    double (*init_noise_sigma)(const ldmp_sampler *sampler);

    /** Scales the model input for `call` in place (K-LMS: x/√(σ²+1); DDIM/PNDM: no change).
     *  [instance-thread] */
    int32_t (*scale_model_input)(ldmp_sampler *sampler, uint32_t call, ldmp_tensor *sample);

    /** Advances from `sample` (x_t) with the model's output at `call` (ε, or v with prediction_type v_prediction)
     *  and writes x_{t-1} into prev_sample. pred_original (nullable) receives the predicted x0.
     *  noise (nullable) is fresh standard-normal noise of the same shape, required when needs_noise() is 1
     *  (e.g. DDIM with eta > 0); the host draws it so that runs stay reproducible. prev_sample may alias sample.
     *  [instance-thread] */
    int32_t (*step)(ldmp_sampler *sampler, uint32_t call, const ldmp_tensor *model_output, const ldmp_tensor *sample,
                    const ldmp_tensor *noise, ldmp_tensor *prev_sample, ldmp_tensor *pred_original);

    /** 1 if step() needs the noise argument with the current parameters, else 0. [instance-thread] */
    int32_t (*needs_noise)(const ldmp_sampler *sampler);

    /* ---- Appended for img2img; optional. The host uses them only when struct_size covers both
     *      (struct_size >= offsetof(ldmp_sampler_vtable, add_noise) + sizeof(void *)) and both are non-NULL;
     *      otherwise (older plugins end at needs_noise) it refuses img2img with this sampler. ---- */

    /** Starts the denoising at `begin_call` instead of 0 (diffusers' set_begin_index, for img2img): call after
     *  set_timesteps and before the first scale_model_input/step; resets the multistep state, and the following
     *  scale_model_input/step calls go through begin_call, begin_call + 1, … in order. begin_call < call_count.
     *  Samplers whose step counts its own calls (PNDM's counter) count from 0 again at begin_call, as diffusers'
     *  do. set_timesteps resets the begin call to 0. Same thread rule as step. */
    int32_t (*set_begin_call)(ldmp_sampler *sampler, uint32_t begin_call);

    /** Noises clean latents to the noise level at which `call` starts (diffusers' add_noise with the timestep of
     *  `call`): noisy = √ᾱ_t·original + √(1 − ᾱ_t)·noise for DDIM/PNDM, original + σ_call·noise for K-LMS.
     *  original, noise and noisy are F32 of one shape, owned by the host and read/written during the call only;
     *  noisy may alias original. Does not change the instance's state. call < call_count. */
    int32_t (*add_noise)(ldmp_sampler *sampler, uint32_t call, const ldmp_tensor *original, const ldmp_tensor *noise,
                         ldmp_tensor *noisy);
} ldmp_sampler_vtable;

#ifdef __cplusplus
}
#endif

#endif
