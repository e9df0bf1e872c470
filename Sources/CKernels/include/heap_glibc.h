// The process heap (glibc malloc): its tunables and figures, for peak-RSS control. No-ops where malloc is not glibc's.
#ifndef LDMP_HEAP_GLIBC_H
#define LDMP_HEAP_GLIBC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// mallopt(M_ARENA_MAX / M_MMAP_THRESHOLD / M_TRIM_THRESHOLD); a value ≤ 0 leaves that one as it is. Returns 1 when
/// every one asked for was applied, 0 otherwise (not glibc, or a value glibc refuses).
int ldmp_heap_configure(int arena_max, long mmap_threshold, long trim_threshold);

/// malloc_trim(0): free pages inside the heap go back to the system. Returns 1 when some memory was released.
int ldmp_heap_trim(void);

/// mallinfo2's bytes in use (uordblks + hblkhd), free inside the arenas (fordblks) and in mmapped chunks (hblkhd);
/// all 0 where unavailable.
void ldmp_heap_stats(size_t *in_use, size_t *free_in_arenas, size_t *mmapped);

#ifdef __cplusplus
}
#endif

#endif
