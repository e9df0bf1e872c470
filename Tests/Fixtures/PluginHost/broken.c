/* broken.c — libraries that must be refused with a reason (built by Tests/PluginHostTests with -DCASE_xxx). */
#include <stddef.h>
#include "ldmprobe/ldmprobe.h"

void broken_nothing(void);
void broken_nothing(void) {}
uint32_t broken_one(void);
uint32_t broken_one(void) { return 1; }

#if defined(CASE_NOENTRY)
int not_an_entry(void) { return 42; }

#elif defined(CASE_MAJOR2)
/* Exports the v1 symbol but declares ABI major 2. */
static int32_t ok_init(const ldmp_host *h, const char *p) { (void)h; (void)p; return LDMP_OK; }
static const ldmp_plugin_desc *none(uint32_t i) { (void)i; return NULL; }
static const ldmp_entry entry = { sizeof(ldmp_entry), { 2, 0, 0 }, ok_init, broken_nothing, broken_one, none };
const ldmp_entry *ldmprobe_entry_v1(void) { return &entry; }

#elif defined(CASE_V2ONLY)
/* A plugin built for a future ABI: only the v2 symbol. */
static int32_t ok_init(const ldmp_host *h, const char *p) { (void)h; (void)p; return LDMP_OK; }
static const ldmp_plugin_desc *none(uint32_t i) { (void)i; return NULL; }
static const ldmp_entry entry = { sizeof(ldmp_entry), { 2, 0, 0 }, ok_init, broken_nothing, broken_one, none };
const ldmp_entry *ldmprobe_entry_v2(void) { return &entry; }

#elif defined(CASE_INITFAIL)
static int32_t bad_init(const ldmp_host *h, const char *p) {
    (void)p;
    h->report_error(h, "initfail: weights folder missing (hint: set LDMP_TEST_WEIGHTS)");
    return LDMP_ERR_IO;
}
static const ldmp_plugin_desc *none(uint32_t i) { (void)i; return NULL; }
static const ldmp_entry entry = { sizeof(ldmp_entry), LDMP_ABI_VERSION_INIT, bad_init, broken_nothing, broken_one, none };
const ldmp_entry *ldmprobe_entry_v1(void) { return &entry; }

#elif defined(CASE_MALFORMED)
/* Seven descriptors: #0 good, #1 bad name, #2 vtable too small, #3 default out of range, #4 a probe capability on a
 * classifier, #5 good with a capability bit this host does not know (a newer minor's: ignored), #6 a word-map
 * plugin (wordmap.h) without finish and mask_threshold. */
static int32_t ok_init(const ldmp_host *h, const char *p) { (void)h; (void)p; return LDMP_OK; }
static int32_t create(const ldmp_host *h, const ldmp_param_value *v, uint32_t n, ldmp_classifier **out) {
    (void)h; (void)v; (void)n; *out = NULL; return LDMP_ERR_UNSUPPORTED;
}
static void destroy(ldmp_classifier *c) { (void)c; }
static uint32_t count(const ldmp_classifier *c) { (void)c; return 0; }
static const char *name(const ldmp_classifier *c, uint32_t i) { (void)c; (void)i; return NULL; }
static int32_t classify(ldmp_classifier *c, const ldmp_tensor *a, ldmp_tensor *b) { (void)c; (void)a; (void)b; return 0; }
static const ldmp_classifier_vtable vt = { sizeof(ldmp_classifier_vtable), create, destroy, count, name, classify };
static int32_t wm_create(const ldmp_host *h, const ldmp_param_value *v, uint32_t n, ldmp_wordmap **out) {
    (void)h; (void)v; (void)n; *out = NULL; return LDMP_ERR_UNSUPPORTED;
}
static void wm_destroy(ldmp_wordmap *w) { (void)w; }
static int32_t wm_begin(ldmp_wordmap *w, const ldmp_wordmap_image *i) { (void)w; (void)i; return LDMP_OK; }
static int32_t wm_add(ldmp_wordmap *w, const char *l, uint32_t c, const ldmp_tensor *p) {
    (void)w; (void)l; (void)c; (void)p; return LDMP_OK;
}
static const ldmp_wordmap_vtable wm_vt = { sizeof(ldmp_wordmap_vtable), wm_create, wm_destroy, wm_begin, wm_add,
                                           NULL, NULL };
static const ldmp_classifier_vtable small_vt = { 8, create, destroy, count, name, classify };
static const ldmp_param_desc bad_default[] = {
    { sizeof(ldmp_param_desc), "k", LDMP_PARAM_INT, "99", 0, 10, 1, NULL, "k in 0…10" },
};
static const ldmp_plugin_desc descs[7] = {
    { sizeof(ldmp_plugin_desc), LDMP_KIND_CLASSIFIER, "fine", { 1, 0, 0 }, "ok", 0, NULL, 0, NULL, &vt },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_CLASSIFIER, "Bad Name", { 1, 0, 0 }, "bad name", 0, NULL, 0, NULL, &vt },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_CLASSIFIER, "small", { 1, 0, 0 }, "small vtable", 0, NULL, 0, NULL, &small_vt },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_CLASSIFIER, "bad-default", { 1, 0, 0 }, "", 1, bad_default, 0, NULL, &vt },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_CLASSIFIER, "wrong-cap", { 1, 0, 0 }, "", 0, NULL, 0, NULL, &vt,
      LDMP_CAP_PROBE_ONE_PASS, NULL },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_CLASSIFIER, "future-cap", { 1, 0, 0 }, "", 0, NULL, 0, NULL, &vt,
      0x100ull, NULL },
    { sizeof(ldmp_plugin_desc), LDMP_KIND_WORDMAP, "no-finish", { 1, 0, 0 }, "", 0, NULL, 0, NULL, &wm_vt, 0, NULL },
};
static uint32_t seven(void) { return 7; }
static const ldmp_plugin_desc *describe(uint32_t i) { return i < 7 ? &descs[i] : NULL; }
static const ldmp_entry entry = { sizeof(ldmp_entry), LDMP_ABI_VERSION_INIT, ok_init, broken_nothing, seven, describe };
const ldmp_entry *ldmprobe_entry_v1(void) { return &entry; }
#endif
