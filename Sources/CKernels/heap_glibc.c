// glibc malloc tunables behind a plain C interface (Swift's Glibc module does not export malloc.h).
#include "heap_glibc.h"
#include <stdlib.h>  /* defines __GLIBC__ where the C library is glibc */

#if defined(__GLIBC__)
#include <malloc.h>

int ldmp_heap_configure(int arena_max, long mmap_threshold, long trim_threshold) {
    int ok = 1;
    if (arena_max > 0) ok &= mallopt(M_ARENA_MAX, arena_max) == 1;
    if (mmap_threshold > 0) ok &= mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1;
    if (trim_threshold > 0) ok &= mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
    return ok;
}

int ldmp_heap_trim(void) { return malloc_trim(0); }

void ldmp_heap_stats(size_t *in_use, size_t *free_in_arenas, size_t *mmapped) {
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33)
    struct mallinfo2 m = mallinfo2();
    *in_use = m.uordblks + m.hblkhd;
    *free_in_arenas = m.fordblks;
    *mmapped = m.hblkhd;
#else
    *in_use = 0; *free_in_arenas = 0; *mmapped = 0;
#endif
}

#else
int ldmp_heap_configure(int arena_max, long mmap_threshold, long trim_threshold) {
    (void)arena_max; (void)mmap_threshold; (void)trim_threshold;
    return 0;
}
int ldmp_heap_trim(void) { return 0; }
void ldmp_heap_stats(size_t *in_use, size_t *free_in_arenas, size_t *mmapped) {
    *in_use = 0; *free_in_arenas = 0; *mmapped = 0;
}
#endif
