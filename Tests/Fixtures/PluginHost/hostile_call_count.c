/* The C example sampler (Examples/CPlugin/example_euler.c) with call_count answering 0xFFFFFFFF, as a broken or
 * hostile plugin might: the host must refuse the plan before it allocates or loops over 4 billion calls (issue 14).
 * Built by HostileSamplerTests with the system C compiler, like the other PluginHost test libraries. */
#include <stdint.h>
#include "ldmprobe/ldmprobe.h"

static uint32_t s_call_count(const ldmp_sampler *s);
#define s_call_count(s) s_call_count_example(s)
#include "../../../Examples/CPlugin/example_euler.c"
#undef s_call_count

static uint32_t s_call_count(const ldmp_sampler *s) {
    (void)s;
    (void)s_call_count_example;
    return 0xFFFFFFFFu;
}
