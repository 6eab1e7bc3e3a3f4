/*
 * gsc_crypto_gcm.h: AES-128-GCM, the authenticated encryption of GameStream's encrypted RTSP
 * (shared/protocol/control-plane.md §6.1), of the "V2" control stream and of encrypted video
 * (§5.3 table). Every use in the protocol has a 16-byte key (the launch's rikey), a 12-byte
 * nonce built by the caller, and a full 16-byte tag; the calls accept other nonce lengths
 * because GCM defines them and the NIST test vectors use them.
 *
 * Every call is stateless and reentrant: it keeps no object between calls (the key schedule
 * is rebuilt per call, a few hundred nanoseconds against the microseconds of any message the
 * protocol encrypts), reads no clock and draws no randomness. Buffers are borrowed for the
 * duration of the call only.
 */
#ifndef GSC_CRYPTO_GCM_H
#define GSC_CRYPTO_GCM_H

#include "gsc_core.h"

#define GSC_AES_GCM_KEY_SIZE 16
/* The nonce length every GameStream use has (96 bits, GCM's recommended size). */
#define GSC_AES_GCM_NONCE_SIZE 12
/* Nonce lengths accepted: GCM allows any non-zero length; 128 bytes bounds the work a caller
 * can ask for while covering NIST SP 800-38D's 60-byte test nonces. */
#define GSC_AES_GCM_NONCE_MIN_SIZE 1
#define GSC_AES_GCM_NONCE_MAX_SIZE 128
#define GSC_AES_GCM_TAG_SIZE 16

#define GSC_CRYPTO_GCM_STATUS_LIST(X)                                                  \
    /* Decryption: the tag does not match the nonce, data and ciphertext under the key; \
     * the output holds zeros, never unauthenticated plaintext. */                      \
    X(GSC_ERR_CRYPTO_GCM_AUTH_FAILED, -110)

GSC_DECLARE_STATUS_LIST(GSC_CRYPTO_GCM_STATUS_LIST)

/*
 * Encrypts input[0..size_bytes) with AES-128-GCM.
 * key: GSC_AES_GCM_KEY_SIZE bytes.
 * nonce: nonce_size_bytes bytes, GSC_AES_GCM_NONCE_MIN_SIZE..GSC_AES_GCM_NONCE_MAX_SIZE. A
 *   nonce must never be used twice with one key; building unique nonces is the caller's job.
 * aad: additional authenticated data (authenticated, not encrypted); may be NULL when
 *   aad_size_bytes is 0.
 * input, output: size_bytes bytes each; may be NULL when size_bytes is 0. output may be the
 *   same buffer as input (in place); other overlaps are not allowed.
 * tag: receives GSC_AES_GCM_TAG_SIZE bytes.
 * Nothing is written unless the call succeeds.
 * Errors: GSC_ERR_NULL_ARGUMENT, GSC_ERR_BAD_LENGTH (nonce length out of range).
 */
GSC_API GSC_NODISCARD gsc_status gsc_aes128_gcm_encrypt(const uint8_t *key, const uint8_t *nonce,
                                                        uint32_t nonce_size_bytes, const uint8_t *aad,
                                                        uint32_t aad_size_bytes, const uint8_t *input,
                                                        uint32_t size_bytes, uint8_t *output, uint8_t *tag);

/*
 * Checks and decrypts input[0..size_bytes), the ciphertext of AES-128-GCM with the given tag
 * (GSC_AES_GCM_TAG_SIZE bytes). Arguments as for gsc_aes128_gcm_encrypt; output receives the
 * plaintext, size_bytes bytes, and may be the same buffer as input. The tag comparison takes
 * the same time whatever the position of the first difference.
 * Returns GSC_OK only when the tag is valid. On GSC_ERR_CRYPTO_GCM_AUTH_FAILED output is
 * zero-filled, so no byte of an unauthenticated message can be used by mistake.
 * Errors: GSC_ERR_NULL_ARGUMENT, GSC_ERR_BAD_LENGTH (nothing written),
 *   GSC_ERR_CRYPTO_GCM_AUTH_FAILED.
 */
GSC_API GSC_NODISCARD gsc_status gsc_aes128_gcm_decrypt(const uint8_t *key, const uint8_t *nonce,
                                                        uint32_t nonce_size_bytes, const uint8_t *aad,
                                                        uint32_t aad_size_bytes, const uint8_t *input,
                                                        uint32_t size_bytes, const uint8_t *tag, uint8_t *output);

#endif /* GSC_CRYPTO_GCM_H */
