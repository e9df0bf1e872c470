/* ldmprobe plugin ABI — tensors cross the ABI as plain, non-owning views.
 *
 * Ownership: a view never owns its data. Whoever allocated the buffer frees it; a view handed to a function is
 * valid only for the duration of that call unless the function's documentation says otherwise. A plugin that
 * wants to keep data copies it. Views are plain data: no function here, so no thread tag.
 */
#ifndef LDMPROBE_TENSOR_H
#define LDMPROBE_TENSOR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LDMP_MAX_RANK 8

typedef enum ldmp_dtype {
    LDMP_DTYPE_F32 = 0,
    LDMP_DTYPE_F16 = 1,  /* IEEE half */
    LDMP_DTYPE_F64 = 2,
    LDMP_DTYPE_I32 = 3,
    LDMP_DTYPE_I64 = 4,
    LDMP_DTYPE_U8 = 5,
    LDMP_DTYPE_U16 = 6
} ldmp_dtype;

/** A strided view of an n-dimensional array.
 *  Element (i0, …, i{rank-1}) lives at data + Σ ik·strides[k] elements (strides in elements, not bytes).
 *  A contiguous row-major tensor has strides[rank-1] = 1, strides[k] = strides[k+1]·shape[k+1]. */
typedef struct ldmp_tensor {
    uint32_t struct_size;             /* sizeof(ldmp_tensor) */
    uint32_t dtype;                   /* an ldmp_dtype */
    uint32_t rank;                    /* 0 … LDMP_MAX_RANK */
    int64_t shape[LDMP_MAX_RANK];
    int64_t strides[LDMP_MAX_RANK];
    void *data;                       /* never owned by the view; const unless the function says it writes */
} ldmp_tensor;

#ifdef __cplusplus
}
#endif

#endif
