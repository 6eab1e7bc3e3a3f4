/*
 * gsc_crypto.h: the primitives of GameStream pairing (shared/protocol/control-plane.md §4.2):
 * the pairing hash (SHA-256, or SHA-1 for hosts older than generation 7), AES-128-ECB without
 * padding, RSA-2048 key generation for the client identity (§2.1), and RSASSA-PKCS1-v1_5 with
 * SHA-256 signatures.
 *
 * Every call is stateless and reentrant: it holds no object between calls, reads no clock
 * and draws no randomness of its own (key generation takes its entropy as an argument).
 * All buffers are borrowed for the duration of the call only; the core keeps no pointer.
 */
#ifndef GSC_CRYPTO_H
#define GSC_CRYPTO_H

#include "gsc_core.h"

#define GSC_SHA256_SIZE 32
#define GSC_SHA1_SIZE 20
#define GSC_AES128_KEY_SIZE 16
#define GSC_AES_BLOCK_SIZE 16

/* Bytes of an RSA-2048 modulus and of a signature made with such a key. */
#define GSC_RSA2048_MODULUS_SIZE 256
/* Public exponent of every generated key (control-plane.md §2.1). */
#define GSC_RSA_PUBLIC_EXPONENT 65537
/* Least entropy accepted by key generation: HMAC-DRBG over SHA-256 offers 256-bit security
 * only when seeded with at least 256 bits. */
#define GSC_RSA_SEED_MIN_SIZE 32
/* Upper bound of the PKCS#1 RSAPrivateKey DER of a generated 2048-bit key. */
#define GSC_RSA2048_PRIVATE_DER_MAX_SIZE 1280
/* Key sizes accepted by sign and verify, in bits. */
#define GSC_RSA_MIN_BITS 1024
#define GSC_RSA_MAX_BITS 4096

#define GSC_CRYPTO_STATUS_LIST(X)                                                        \
    /* Key generation was given fewer than GSC_RSA_SEED_MIN_SIZE bytes of seed. */        \
    X(GSC_ERR_CRYPTO_SEED_TOO_SHORT, -100)                                               \
    /* Key generation failed (not expected with a valid seed). */                        \
    X(GSC_ERR_CRYPTO_KEYGEN_FAILED, -101)                                                \
    /* The private key is not a well-formed PKCS#1 RSAPrivateKey or PKCS#8 DER. */        \
    X(GSC_ERR_CRYPTO_BAD_PRIVATE_KEY, -102)                                              \
    /* The key is well-formed but not RSA, or its size is outside                       \
     * GSC_RSA_MIN_BITS..GSC_RSA_MAX_BITS. */                                            \
    X(GSC_ERR_CRYPTO_UNSUPPORTED_KEY, -103)                                              \
    /* The RSA private-key operation failed (e.g. an inconsistent key). */               \
    X(GSC_ERR_CRYPTO_SIGN_FAILED, -104)                                                  \
    /* The signature does not match the message under the public key. */                 \
    X(GSC_ERR_CRYPTO_BAD_SIGNATURE, -105)                                                \
    /* The public key is unusable: empty, even or oversized modulus, or bad exponent. */ \
    X(GSC_ERR_CRYPTO_BAD_PUBLIC_KEY, -106)

GSC_DECLARE_STATUS_LIST(GSC_CRYPTO_STATUS_LIST)

/*
 * Hashes data[0..data_size_bytes) into digest, which receives GSC_SHA256_SIZE bytes
 * (GSC_SHA1_SIZE for SHA-1). data may be NULL when data_size_bytes is 0.
 * Errors: GSC_ERR_NULL_ARGUMENT.
 */
GSC_API GSC_NODISCARD gsc_status gsc_sha256(const uint8_t *data, uint32_t data_size_bytes, uint8_t *digest);
GSC_API GSC_NODISCARD gsc_status gsc_sha1(const uint8_t *data, uint32_t data_size_bytes, uint8_t *digest);

/*
 * AES-128 in ECB mode without padding, as pairing uses it: each 16-byte block of input is
 * transformed independently into the same position of output. key is GSC_AES128_KEY_SIZE
 * bytes. size_bytes must be a multiple of GSC_AES_BLOCK_SIZE (0 is allowed and writes
 * nothing). output may be the same buffer as input (in-place); other overlaps are not
 * allowed. output receives size_bytes bytes.
 * Errors: GSC_ERR_NULL_ARGUMENT, GSC_ERR_BAD_LENGTH (nothing written).
 */
GSC_API GSC_NODISCARD gsc_status gsc_aes128_ecb_encrypt(const uint8_t *key, const uint8_t *input, uint32_t size_bytes,
                                                        uint8_t *output);
GSC_API GSC_NODISCARD gsc_status gsc_aes128_ecb_decrypt(const uint8_t *key, const uint8_t *input, uint32_t size_bytes,
                                                        uint8_t *output);

/*
 * Generates an RSA-2048 key pair with public exponent GSC_RSA_PUBLIC_EXPONENT. The key is a
 * pure function of the seed: the seed feeds an HMAC-DRBG (SHA-256) that supplies every random
 * bit, so the same seed gives the same key on every platform, and the caller is responsible
 * for the seed's entropy (e.g. crypto.getRandomValues).
 *
 * seed: seed_size_bytes >= GSC_RSA_SEED_MIN_SIZE bytes.
 * private_der: receives the private key as DER of a PKCS#1 RSAPrivateKey (with n, e, d, p, q,
 *   dp, dq, qinv); private_der_capacity_bytes is its size, and GSC_RSA2048_PRIVATE_DER_MAX_SIZE
 *   always suffices. *private_der_size_bytes receives the length written.
 * modulus: receives GSC_RSA2048_MODULUS_SIZE bytes, big-endian (the top bit is always set).
 * public_exponent: receives the public exponent as a number.
 * Nothing is written to any output unless the call succeeds.
 * Errors: GSC_ERR_NULL_ARGUMENT, GSC_ERR_CRYPTO_SEED_TOO_SHORT, GSC_ERR_BUFFER_TOO_SMALL,
 *   GSC_ERR_CRYPTO_KEYGEN_FAILED.
 */
GSC_API GSC_NODISCARD gsc_status gsc_rsa2048_generate(const uint8_t *seed, uint32_t seed_size_bytes, uint8_t *private_der,
                                                      uint32_t private_der_capacity_bytes,
                                                      uint32_t *private_der_size_bytes, uint8_t *modulus,
                                                      uint32_t *public_exponent);

/*
 * Signs SHA-256(message) with RSASSA-PKCS1-v1_5 (control-plane.md §4.2 Sign_k).
 * private_der: an RSA private key of GSC_RSA_MIN_BITS..GSC_RSA_MAX_BITS bits, as DER of a
 *   PKCS#1 RSAPrivateKey or of an unencrypted PKCS#8 PrivateKeyInfo.
 * message may be NULL when message_size_bytes is 0.
 * signature: receives as many bytes as the modulus has (256 for RSA-2048);
 *   signature_capacity_bytes is its size; *signature_size_bytes receives the length written.
 * Errors: GSC_ERR_NULL_ARGUMENT, GSC_ERR_CRYPTO_BAD_PRIVATE_KEY, GSC_ERR_CRYPTO_UNSUPPORTED_KEY,
 *   GSC_ERR_BUFFER_TOO_SMALL, GSC_ERR_CRYPTO_SIGN_FAILED.
 */
GSC_API GSC_NODISCARD gsc_status gsc_rsa_sign_sha256(const uint8_t *private_der, uint32_t private_der_size_bytes,
                                                     const uint8_t *message, uint32_t message_size_bytes,
                                                     uint8_t *signature, uint32_t signature_capacity_bytes,
                                                     uint32_t *signature_size_bytes);

/*
 * Verifies an RSASSA-PKCS1-v1_5 SHA-256 signature of message (control-plane.md §4.2
 * Verify_c). modulus and exponent are unsigned big-endian integers; leading zero bytes are
 * ignored. The modulus must be odd and of GSC_RSA_MIN_BITS..GSC_RSA_MAX_BITS bits, the
 * exponent at most 4 bytes, non-zero and odd. The signature must have exactly as many bytes as
 * the modulus. message may be NULL when message_size_bytes is 0.
 * Returns GSC_OK when the signature is valid, GSC_ERR_CRYPTO_BAD_SIGNATURE when it is not
 * (including a signature of the wrong length), GSC_ERR_CRYPTO_BAD_PUBLIC_KEY or
 * GSC_ERR_NULL_ARGUMENT.
 */
GSC_API GSC_NODISCARD gsc_status gsc_rsa_verify_sha256(const uint8_t *modulus, uint32_t modulus_size_bytes,
                                                       const uint8_t *exponent, uint32_t exponent_size_bytes,
                                                       const uint8_t *message, uint32_t message_size_bytes,
                                                       const uint8_t *signature, uint32_t signature_size_bytes);

#endif /* GSC_CRYPTO_H */
