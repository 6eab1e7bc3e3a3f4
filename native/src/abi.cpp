// The ABI's cross-cutting calls: version, status names, and the allocator the binding uses
// to move buffers into and out of core memory. Area calls live beside their modules.
#include <cstdint>
#include <cstdlib>

#include "gsc.h"

namespace {

// 16 bytes: enough for any scalar the core stores, and for SIMD-friendly copies later.
constexpr std::size_t kAllocAlignmentBytes = 16;

// Each layer's codes must stay inside the range gsc_core.h gives it.
#define GSC_CHECK_CORE_RANGE(name, value) static_assert((value) <= 0 && (value) >= -99, #name " outside -99..0");
#define GSC_CHECK_CRYPTO_RANGE(name, value) static_assert((value) <= -100 && (value) >= -199, #name " outside -199..-100");
#define GSC_CHECK_TLS_RANGE(name, value) static_assert((value) <= -200 && (value) >= -299, #name " outside -299..-200");
GSC_CORE_STATUS_LIST(GSC_CHECK_CORE_RANGE)
GSC_CRYPTO_STATUS_LIST(GSC_CHECK_CRYPTO_RANGE)
GSC_CRYPTO_GCM_STATUS_LIST(GSC_CHECK_CRYPTO_RANGE)
#ifdef GSC_TLS_STATUS_LIST
GSC_TLS_STATUS_LIST(GSC_CHECK_TLS_RANGE)
#endif
#define GSC_CHECK_VIDEO_RANGE(name, value) static_assert((value) <= -500 && (value) >= -599, #name " outside -599..-500");
GSC_VIDEO_STATUS_LIST(GSC_CHECK_VIDEO_RANGE)
// The session's ending statuses belong to the ENet and control layers.
#define GSC_CHECK_SESSION_RANGE(name, value) static_assert((value) <= -300 && (value) >= -499, #name " outside -499..-300");
GSC_SESSION_STATUS_LIST(GSC_CHECK_SESSION_RANGE)

}  // namespace

extern "C" {

int32_t gsc_abi_version(void) { return GSC_ABI_VERSION; }

const char *gsc_status_name(gsc_status status) {
#define GSC_STATUS_NAME_CASE(name, value) \
    case value:                           \
        return #name;
    switch (status) {
        GSC_CORE_STATUS_LIST(GSC_STATUS_NAME_CASE)
        GSC_CRYPTO_STATUS_LIST(GSC_STATUS_NAME_CASE)
        GSC_CRYPTO_GCM_STATUS_LIST(GSC_STATUS_NAME_CASE)
#ifdef GSC_TLS_STATUS_LIST
        GSC_TLS_STATUS_LIST(GSC_STATUS_NAME_CASE)
#endif
#ifdef GSC_ENET_STATUS_LIST
        GSC_ENET_STATUS_LIST(GSC_STATUS_NAME_CASE)
#endif
#ifdef GSC_CONTROL_STATUS_LIST
        GSC_CONTROL_STATUS_LIST(GSC_STATUS_NAME_CASE)
#endif
#ifdef GSC_VIDEO_STATUS_LIST
        GSC_VIDEO_STATUS_LIST(GSC_STATUS_NAME_CASE)
#endif
#ifdef GSC_AUDIO_STATUS_LIST
        GSC_AUDIO_STATUS_LIST(GSC_STATUS_NAME_CASE)
#endif
        GSC_SESSION_STATUS_LIST(GSC_STATUS_NAME_CASE)
        default:
            return "GSC_STATUS_UNKNOWN";
    }
#undef GSC_STATUS_NAME_CASE
}

void *gsc_alloc(uint32_t size_bytes) {
    // aligned_alloc wants a multiple of the alignment, and 0 must still give a distinct
    // pointer. Rounding in 64 bits keeps a size near 4 GiB from wrapping to a tiny block on
    // wasm32, where size_t is 32 bits.
    const uint64_t rounded = (uint64_t{size_bytes} + kAllocAlignmentBytes - 1) / kAllocAlignmentBytes * kAllocAlignmentBytes;
    const uint64_t size = rounded == 0 ? kAllocAlignmentBytes : rounded;
    if (size > SIZE_MAX) return nullptr;
    return std::aligned_alloc(kAllocAlignmentBytes, static_cast<std::size_t>(size));
}

void gsc_free(void *ptr) { std::free(ptr); }

}  // extern "C"
