// AES-128-GCM over BearSSL's generic GCM engine (contract in gsc_crypto_gcm.h). The "ct64"
// AES and the "ctmul64" GHASH are BearSSL's constant-time implementations built on 64-bit
// integer arithmetic, which WebAssembly has natively even in its MVP feature set; the key is
// the session's rikey, so table-based (cache-timing) implementations are avoided.
#include <cstring>

#include <bearssl_aead.h>
#include <bearssl_block.h>
#include <bearssl_hash.h>

#include "gsc_crypto_gcm.h"

namespace {

gsc_status check_gcm_args(const uint8_t *key, const uint8_t *nonce, uint32_t nonce_size_bytes, const uint8_t *aad,
                          uint32_t aad_size_bytes, const uint8_t *input, uint32_t size_bytes, const uint8_t *output,
                          const uint8_t *tag) {
    if (key == nullptr || nonce == nullptr || tag == nullptr) return GSC_ERR_NULL_ARGUMENT;
    if (aad_size_bytes != 0 && aad == nullptr) return GSC_ERR_NULL_ARGUMENT;
    if (size_bytes != 0 && (input == nullptr || output == nullptr)) return GSC_ERR_NULL_ARGUMENT;
    if (nonce_size_bytes < GSC_AES_GCM_NONCE_MIN_SIZE || nonce_size_bytes > GSC_AES_GCM_NONCE_MAX_SIZE) {
        return GSC_ERR_BAD_LENGTH;
    }
    return GSC_OK;
}

// Runs GCM over output (which already holds the input) and leaves the context ready for
// the tag. BearSSL's GCM context only points at the AES keys, so both live on this frame's
// caller and die with the call.
void gcm_run(br_gcm_context &gcm, br_aes_ct64_ctr_keys &aes, const uint8_t *nonce, uint32_t nonce_size_bytes,
             const uint8_t *aad, uint32_t aad_size_bytes, uint8_t *data, uint32_t size_bytes, int encrypt) {
    br_gcm_init(&gcm, &aes.vtable, br_ghash_ctmul64);
    br_gcm_reset(&gcm, nonce, nonce_size_bytes);
    if (aad_size_bytes != 0) br_gcm_aad_inject(&gcm, aad, aad_size_bytes);
    br_gcm_flip(&gcm);
    if (size_bytes != 0) br_gcm_run(&gcm, encrypt, data, size_bytes);
}

}  // namespace

gsc_status gsc_aes128_gcm_encrypt(const uint8_t *key, const uint8_t *nonce, uint32_t nonce_size_bytes,
                                  const uint8_t *aad, uint32_t aad_size_bytes, const uint8_t *input,
                                  uint32_t size_bytes, uint8_t *output, uint8_t *tag) {
    const gsc_status status =
        check_gcm_args(key, nonce, nonce_size_bytes, aad, aad_size_bytes, input, size_bytes, output, tag);
    if (status != GSC_OK) return status;
    br_aes_ct64_ctr_keys aes;
    br_aes_ct64_ctr_init(&aes, key, GSC_AES_GCM_KEY_SIZE);
    if (size_bytes != 0) std::memmove(output, input, size_bytes);
    br_gcm_context gcm;
    gcm_run(gcm, aes, nonce, nonce_size_bytes, aad, aad_size_bytes, output, size_bytes, 1);
    br_gcm_get_tag(&gcm, tag);
    return GSC_OK;
}

gsc_status gsc_aes128_gcm_decrypt(const uint8_t *key, const uint8_t *nonce, uint32_t nonce_size_bytes,
                                  const uint8_t *aad, uint32_t aad_size_bytes, const uint8_t *input,
                                  uint32_t size_bytes, const uint8_t *tag, uint8_t *output) {
    const gsc_status status =
        check_gcm_args(key, nonce, nonce_size_bytes, aad, aad_size_bytes, input, size_bytes, output, tag);
    if (status != GSC_OK) return status;
    br_aes_ct64_ctr_keys aes;
    br_aes_ct64_ctr_init(&aes, key, GSC_AES_GCM_KEY_SIZE);
    // The tag may live inside the buffer being decrypted in place; keep the caller's copy.
    uint8_t expected_tag[GSC_AES_GCM_TAG_SIZE];
    std::memcpy(expected_tag, tag, sizeof expected_tag);
    if (size_bytes != 0) std::memmove(output, input, size_bytes);
    br_gcm_context gcm;
    gcm_run(gcm, aes, nonce, nonce_size_bytes, aad, aad_size_bytes, output, size_bytes, 0);
    if (br_gcm_check_tag(&gcm, expected_tag) != 1) {
        if (size_bytes != 0) std::memset(output, 0, size_bytes);
        return GSC_ERR_CRYPTO_GCM_AUTH_FAILED;
    }
    return GSC_OK;
}
