// example_luma.cpp — a labeler plugin in C++17, built against the C headers alone:
//
//     c++ -std=c++17 -O2 -shared -fPIC -fvisibility=hidden -I Sources/PluginABI/include Examples/CxxPlugin/example_luma.cpp -Wl,--version-script=Plugins/exports.map -o libexample_luma.so
//     ldmprobe validate-plugin libexample_luma.so
//
// (The version script hides the C++ standard library's template instances, which -fvisibility=hidden leaves
// visible.)
//
// An estimator: the label of an image is its luma (Rec. 601, in [0, 1]) resized to the asked size (nearest), or,
// with threshold ≥ 0, the binary mask luma > threshold. It needs the image, so it declares
// LDMP_CAP_LABELER_NEEDS_IMAGE. The C++ rules for a plugin: everything the host calls is extern "C" through the
// vtable (the headers wrap themselves in extern "C"), no exception ever crosses the ABI (each entry point catches),
// and the instance is a plain class behind the opaque ldmp_labeler.
#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "ldmprobe/ldmprobe.h"

struct ldmp_labeler {
    const ldmp_host *host;
    double threshold;  // < 0: continuous luma

    uint32_t kind() const { return threshold < 0 ? LDMP_LABEL_CONTINUOUS : LDMP_LABEL_BINARY; }
};

namespace {

int32_t fail(const ldmp_host *host, ldmp_status status, const std::string &message) {
    if (host && host->report_error) host->report_error(host, message.c_str());
    return static_cast<int32_t>(status);
}

bool isU8Image(const ldmp_tensor *t) {
    return t && t->dtype == LDMP_DTYPE_U8 && t->rank == 3 && t->shape[2] == 3 && t->shape[0] > 0 &&
           t->shape[1] > 0 && t->strides[2] == 1 && t->strides[1] == 3 && t->strides[0] == 3 * t->shape[1] && t->data;
}

int32_t create(const ldmp_host *host, const ldmp_param_value *params, uint32_t count, const char *source,
               ldmp_labeler **out) {
    (void)source;  // an estimator reads no folder
    try {
        double threshold = -1;
        for (uint32_t i = 0; i < count; i++) {
            const ldmp_param_value *p = LDMP_ARRAY_AT(ldmp_param_value, params, i);
            if (std::strcmp(p->name, "threshold") == 0) threshold = p->float_value;
        }
        *out = new ldmp_labeler{host, threshold};
        return LDMP_OK;
    } catch (const std::exception &e) {
        return fail(host, LDMP_ERR_INTERNAL, std::string("example-luma: ") + e.what());
    }
}

void destroy(ldmp_labeler *labeler) { delete labeler; }

uint32_t labelKind(const ldmp_labeler *labeler) { return labeler->kind(); }

int32_t load(ldmp_labeler *labeler, const char *imageID, const ldmp_tensor *image, ldmp_tensor *out) {
    if (!isU8Image(image)) {
        return fail(labeler->host, LDMP_ERR_INVALID_ARGUMENT,
                    std::string("example-luma: image '") + (imageID ? imageID : "?") +
                        "' missing or not a contiguous U8 [H, W, 3] (this labeler estimates from the image)");
    }
    if (!out || out->dtype != LDMP_DTYPE_F32 || out->rank != 2 || !out->data || out->strides[1] != 1 ||
        out->strides[0] != out->shape[1]) {
        return fail(labeler->host, LDMP_ERR_INVALID_ARGUMENT, "example-luma: out must be a contiguous F32 [H, W]");
    }
    const int64_t h = image->shape[0], w = image->shape[1], H = out->shape[0], W = out->shape[1];
    const auto *px = static_cast<const uint8_t *>(image->data);
    auto *label = static_cast<float *>(out->data);
    for (int64_t y = 0; y < H; y++) {
        for (int64_t x = 0; x < W; x++) {
            const uint8_t *p = px + ((y * h / H) * w + x * w / W) * 3;
            const double luma = (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) / 255.0;
            label[y * W + x] = labeler->threshold < 0 ? static_cast<float>(std::clamp(luma, 0.0, 1.0))
                                                      : (luma > labeler->threshold ? 1.0f : 0.0f);
        }
    }
    return LDMP_OK;
}

const ldmp_labeler_vtable vtable = {sizeof(ldmp_labeler_vtable), create, destroy, labelKind, load};

const ldmp_param_desc params[] = {
    {sizeof(ldmp_param_desc), "threshold", LDMP_PARAM_FLOAT, "-1", -1, 1, 1, nullptr,
     "< 0: the luma itself (continuous); ≥ 0: the binary mask luma > threshold"},
};

const ldmp_plugin_desc descriptor = {
    sizeof(ldmp_plugin_desc), LDMP_KIND_LABELER, "example-luma", {1, 0, 0},
    "luma of the generated image (or a mask of it), in C++17: the SDK's labeler example",
    1, params, 0, nullptr, &vtable,
    LDMP_CAP_LABELER_NEEDS_IMAGE, nullptr,
};

int32_t init(const ldmp_host *, const char *) { return LDMP_OK; }
void deinit() {}
uint32_t pluginCount() { return 1; }
const ldmp_plugin_desc *describe(uint32_t index) { return index == 0 ? &descriptor : nullptr; }

const ldmp_entry entry = {sizeof(ldmp_entry), LDMP_ABI_VERSION_INIT, init, deinit, pluginCount, describe};

}  // namespace

LDMP_EXPORT const ldmp_entry *ldmprobe_entry_v1(void) { return &entry; }
