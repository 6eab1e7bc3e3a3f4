// AES-128-ECB without padding (control-plane.md §4.2 E_K / D_K). BearSSL offers AES only
// inside block modes; CBC over a single block with an all-zero IV is exactly one raw block
// operation, so each block runs as its own one-block CBC call. The constant-time "ct"
// implementation is used because the key derives from the pairing PIN.
#include <cstring>

#include <bearssl_block.h>

#include "gsc_crypto.h"

namespace {

gsc_status check_ecb_args(const uint8_t *key, const uint8_t *input, uint32_t size_bytes, const uint8_t *output) {
    if (key == nullptr) return GSC_ERR_NULL_ARGUMENT;
    if (size_bytes != 0 && (input == nullptr || output == nullptr)) return GSC_ERR_NULL_ARGUMENT;
    if (size_bytes % GSC_AES_BLOCK_SIZE != 0) return GSC_ERR_BAD_LENGTH;
    return GSC_OK;
}

}  // namespace

gsc_status gsc_aes128_ecb_encrypt(const uint8_t *key, const uint8_t *input, uint32_t size_bytes, uint8_t *output) {
    const gsc_status status = check_ecb_args(key, input, size_bytes, output);
    if (status != GSC_OK) return status;
    br_aes_ct_cbcenc_keys ctx;
    br_aes_ct_cbcenc_init(&ctx, key, GSC_AES128_KEY_SIZE);
    for (uint32_t offset = 0; offset < size_bytes; offset += GSC_AES_BLOCK_SIZE) {
        uint8_t iv[GSC_AES_BLOCK_SIZE] = {};
        std::memmove(output + offset, input + offset, GSC_AES_BLOCK_SIZE);
        br_aes_ct_cbcenc_run(&ctx, iv, output + offset, GSC_AES_BLOCK_SIZE);
    }
    return GSC_OK;
}

gsc_status gsc_aes128_ecb_decrypt(const uint8_t *key, const uint8_t *input, uint32_t size_bytes, uint8_t *output) {
    const gsc_status status = check_ecb_args(key, input, size_bytes, output);
    if (status != GSC_OK) return status;
    br_aes_ct_cbcdec_keys ctx;
    br_aes_ct_cbcdec_init(&ctx, key, GSC_AES128_KEY_SIZE);
    for (uint32_t offset = 0; offset < size_bytes; offset += GSC_AES_BLOCK_SIZE) {
        uint8_t iv[GSC_AES_BLOCK_SIZE] = {};
        std::memmove(output + offset, input + offset, GSC_AES_BLOCK_SIZE);
        br_aes_ct_cbcdec_run(&ctx, iv, output + offset, GSC_AES_BLOCK_SIZE);
    }
    return GSC_OK;
}
