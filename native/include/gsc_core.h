/*
 * gsc_core.h: the basics of the GameStream core's C ABI, shared by every area header.
 *
 * - GSC_API marks every exported function (C linkage, kept by the linker, exported from
 *   core.wasm).
 * - gsc_status: the one error type of the ABI. 0 is success; each layer owns one range of
 *   negative codes (style guide B.7), listed below.
 * - gsc_alloc / gsc_free: how the binding moves buffers into and out of core memory.
 *
 * Conventions for every header of this ABI:
 * - Sizes and lengths are uint32_t byte counts (WebAssembly pointers are 32-bit, and JS reads
 *   32-bit integers without BigInt). No 64-bit integer crosses the ABI as a parameter or a
 *   return value; where one is needed it travels in memory or as two uint32_t halves.
 * - A pointer argument is borrowed for the duration of the call unless its documentation
 *   says otherwise. Input and output buffers may not overlap unless the call says they may.
 * - Functions are safe to call from one thread at a time per object; nothing is global.
 */
#ifndef GSC_CORE_H
#define GSC_CORE_H

#include <stdint.h>

#ifdef __cplusplus
#define GSC_EXTERN_C extern "C"
#else
#define GSC_EXTERN_C
#endif

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define GSC_KEEPALIVE EMSCRIPTEN_KEEPALIVE
#else
#define GSC_KEEPALIVE
#endif

/* Exported function: C linkage, visible from the library, never dropped by the linker,
 * and exported from core.wasm. */
#define GSC_API GSC_EXTERN_C __attribute__((visibility("default"), used)) GSC_KEEPALIVE

/* A status result whose value must be looked at (style guide B.11). The GNU spelling works in
 * C and C++ and in any order with the other attributes of GSC_API. */
#define GSC_NODISCARD __attribute__((warn_unused_result))

/* Bumped whenever any exported signature, struct layout or constant changes; the binding
 * refuses a module whose version differs from the one it was written for. */
#define GSC_ABI_VERSION 1

/*
 * 0 is success; a negative value is an error, in one range per layer:
 *      -1 ..  -99  arguments and call state (this header)
 *    -100 .. -199  crypto (gsc_crypto.h)
 *    -200 .. -299  TLS client (gsc_tls.h)
 *    -300 .. -399  ENet
 *    -400 .. -499  control stream
 *    -500 .. -599  video
 *    -600 .. -699  audio
 * Positive values are never returned as statuses.
 */
typedef int32_t gsc_status;

/*
 * Codes are declared through X-macro lists so that gsc_status_name() can name every code of
 * every area without a second table that could drift: an area header defines
 * GSC_<AREA>_STATUS_LIST(X) with one X(name, value) per code, then GSC_DECLARE_STATUS_LIST it.
 */
#ifdef __cplusplus
/* Typed constants: codes of different areas compare and mix without enum warnings. */
#define GSC_DECLARE_STATUS_CONSTANT(name, value) constexpr gsc_status name = (value);
#define GSC_DECLARE_STATUS_LIST(list) list(GSC_DECLARE_STATUS_CONSTANT)
#else
#define GSC_DECLARE_STATUS_ENUMERATOR(name, value) name = (value),
#define GSC_DECLARE_STATUS_LIST(list) enum { list(GSC_DECLARE_STATUS_ENUMERATOR) };
#endif

#define GSC_CORE_STATUS_LIST(X)                                                     \
    X(GSC_OK, 0)                                                                    \
    /* A required pointer was NULL. */                                              \
    X(GSC_ERR_NULL_ARGUMENT, -1)                                                    \
    /* A length is not allowed by the call (e.g. not a multiple of a block size). */ \
    X(GSC_ERR_BAD_LENGTH, -2)                                                       \
    /* An output buffer is smaller than the call needs; nothing was written. */      \
    X(GSC_ERR_BUFFER_TOO_SMALL, -3)                                                 \
    /* The core could not allocate the memory the call needs. */                    \
    X(GSC_ERR_OUT_OF_MEMORY, -4)                                                    \
    /* The call is not allowed in the object's current state. */                    \
    X(GSC_ERR_BAD_STATE, -5)                                                        \
    /* An argument's value is out of its documented range. */                       \
    X(GSC_ERR_BAD_ARGUMENT, -6)

GSC_DECLARE_STATUS_LIST(GSC_CORE_STATUS_LIST)

/* Returns GSC_ABI_VERSION as compiled into this core. */
GSC_API int32_t gsc_abi_version(void);

/*
 * Returns the stable identifier of a status code, e.g. "GSC_ERR_BAD_LENGTH", or
 * "GSC_STATUS_UNKNOWN" for a value no area defines. The string is static and never freed.
 */
GSC_API const char *gsc_status_name(gsc_status status);

/*
 * Allocates size_bytes bytes of core memory (16-byte aligned) for the binding to fill or
 * read. Returns NULL when memory is exhausted. A size of 0 returns a unique pointer that must
 * still be freed. The caller owns the block until it passes it to gsc_free(). On WebAssembly,
 * an allocation may grow the memory, which detaches views taken of it before the call.
 */
GSC_API void *gsc_alloc(uint32_t size_bytes);

/* Frees a block from gsc_alloc(); NULL is ignored. */
GSC_API void gsc_free(void *ptr);

#endif /* GSC_CORE_H */
