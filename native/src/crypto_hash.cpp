// The pairing hash H of control-plane.md §4.2: SHA-256 for current hosts, SHA-1 for
// GameStream hosts before generation 7.
#include <bearssl_hash.h>

#include "gsc_crypto.h"

gsc_status gsc_sha256(const uint8_t *data, uint32_t data_size_bytes, uint8_t *digest) {
    if ((data == nullptr && data_size_bytes != 0) || digest == nullptr) return GSC_ERR_NULL_ARGUMENT;
    br_sha256_context ctx;
    br_sha256_init(&ctx);
    br_sha256_update(&ctx, data, data_size_bytes);
    br_sha256_out(&ctx, digest);
    return GSC_OK;
}

gsc_status gsc_sha1(const uint8_t *data, uint32_t data_size_bytes, uint8_t *digest) {
    if ((data == nullptr && data_size_bytes != 0) || digest == nullptr) return GSC_ERR_NULL_ARGUMENT;
    br_sha1_context ctx;
    br_sha1_init(&ctx);
    br_sha1_update(&ctx, data, data_size_bytes);
    br_sha1_out(&ctx, digest);
    return GSC_OK;
}
