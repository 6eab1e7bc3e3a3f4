// RSA for pairing: key generation for the client identity (control-plane.md §2.1) and
// RSASSA-PKCS1-v1_5 SHA-256 sign/verify (§4.2 Sign_k / Verify_c).
//
// Key generation always uses BearSSL's i31 code rather than the platform's fastest: the
// implementations draw random bits differently, and pinning one keeps a seed's key identical
// natively and in WebAssembly (where i62 does not exist). Signing may use the fastest one,
// since PKCS#1 v1.5 signatures are deterministic whatever computes them.
#include <cstring>

#include <bearssl_hash.h>
#include <bearssl_rand.h>
#include <bearssl_rsa.h>
#include <bearssl_x509.h>

#include "gsc_crypto.h"

namespace {

constexpr unsigned kKeygenBits = 2048;
constexpr std::size_t kModulusBytes = GSC_RSA2048_MODULUS_SIZE;
constexpr std::size_t kMaxExponentBytes = 4;

// Secrets must not outlive the call in stack or heap memory that is reused later; the
// volatile writes keep the compiler from dropping the clearing of a dead buffer.
void wipe(void *buffer, std::size_t size_bytes) {
    volatile unsigned char *bytes = static_cast<volatile unsigned char *>(buffer);
    for (std::size_t i = 0; i < size_bytes; i++) bytes[i] = 0;
}

struct Trimmed {
    const uint8_t *bytes;
    std::size_t size_bytes;
};

Trimmed trim_leading_zeros(const uint8_t *bytes, std::size_t size_bytes) {
    while (size_bytes > 0 && *bytes == 0) {
        bytes++;
        size_bytes--;
    }
    return {bytes, size_bytes};
}

std::size_t bit_length(Trimmed number) {
    if (number.size_bytes == 0) return 0;
    std::size_t bits = (number.size_bytes - 1) * 8;
    for (unsigned top = number.bytes[0]; top != 0; top >>= 1) bits++;
    return bits;
}

void sha256_of(const uint8_t *message, uint32_t message_size_bytes, unsigned char *digest) {
    br_sha256_context ctx;
    br_sha256_init(&ctx);
    br_sha256_update(&ctx, message, message_size_bytes);
    br_sha256_out(&ctx, digest);
}

// The buffers of a key being generated, wiped together when generation ends.
struct KeygenScratch {
    br_hmac_drbg_context rng;
    br_rsa_private_key sk;
    br_rsa_public_key pk;
    unsigned char private_parts[BR_RSA_KBUF_PRIV_SIZE(kKeygenBits)];
    unsigned char public_parts[BR_RSA_KBUF_PUB_SIZE(kKeygenBits)];
    unsigned char private_exponent[kModulusBytes];
};

gsc_status generate_into(KeygenScratch &s, const uint8_t *seed, uint32_t seed_size_bytes, uint8_t *private_der,
                         uint32_t private_der_capacity_bytes, uint32_t *private_der_size_bytes, uint8_t *modulus,
                         uint32_t *public_exponent) {
    br_hmac_drbg_init(&s.rng, &br_sha256_vtable, seed, seed_size_bytes);
    if (br_rsa_i31_keygen(&s.rng.vtable, &s.sk, s.private_parts, &s.pk, s.public_parts, kKeygenBits,
                          GSC_RSA_PUBLIC_EXPONENT) != 1) {
        return GSC_ERR_CRYPTO_KEYGEN_FAILED;
    }
    if (s.pk.nlen != kModulusBytes) return GSC_ERR_CRYPTO_KEYGEN_FAILED;
    const std::size_t d_size = br_rsa_i31_compute_privexp(s.private_exponent, &s.sk, GSC_RSA_PUBLIC_EXPONENT);
    if (d_size == 0) return GSC_ERR_CRYPTO_KEYGEN_FAILED;
    const std::size_t der_size = br_encode_rsa_raw_der(nullptr, &s.sk, &s.pk, s.private_exponent, d_size);
    if (der_size == 0) return GSC_ERR_CRYPTO_KEYGEN_FAILED;
    if (der_size > private_der_capacity_bytes) return GSC_ERR_BUFFER_TOO_SMALL;
    br_encode_rsa_raw_der(private_der, &s.sk, &s.pk, s.private_exponent, d_size);
    *private_der_size_bytes = static_cast<uint32_t>(der_size);
    std::memcpy(modulus, s.pk.n, kModulusBytes);
    *public_exponent = GSC_RSA_PUBLIC_EXPONENT;
    return GSC_OK;
}

}  // namespace

gsc_status gsc_rsa2048_generate(const uint8_t *seed, uint32_t seed_size_bytes, uint8_t *private_der,
                                uint32_t private_der_capacity_bytes, uint32_t *private_der_size_bytes, uint8_t *modulus,
                                uint32_t *public_exponent) {
    if (seed == nullptr || private_der == nullptr || private_der_size_bytes == nullptr || modulus == nullptr ||
        public_exponent == nullptr) {
        return GSC_ERR_NULL_ARGUMENT;
    }
    if (seed_size_bytes < GSC_RSA_SEED_MIN_SIZE) return GSC_ERR_CRYPTO_SEED_TOO_SHORT;
    KeygenScratch scratch;
    const gsc_status status = generate_into(scratch, seed, seed_size_bytes, private_der, private_der_capacity_bytes,
                                            private_der_size_bytes, modulus, public_exponent);
    wipe(&scratch, sizeof scratch);
    return status;
}

gsc_status gsc_rsa_sign_sha256(const uint8_t *private_der, uint32_t private_der_size_bytes, const uint8_t *message,
                               uint32_t message_size_bytes, uint8_t *signature, uint32_t signature_capacity_bytes,
                               uint32_t *signature_size_bytes) {
    if (private_der == nullptr || (message == nullptr && message_size_bytes != 0) || signature == nullptr ||
        signature_size_bytes == nullptr) {
        return GSC_ERR_NULL_ARGUMENT;
    }
    br_skey_decoder_context decoder;
    br_skey_decoder_init(&decoder);
    br_skey_decoder_push(&decoder, private_der, private_der_size_bytes);
    gsc_status status = GSC_OK;
    const br_rsa_private_key *sk = nullptr;
    if (br_skey_decoder_last_error(&decoder) != 0) {
        status = GSC_ERR_CRYPTO_BAD_PRIVATE_KEY;
    } else if (br_skey_decoder_key_type(&decoder) != BR_KEYTYPE_RSA) {
        status = GSC_ERR_CRYPTO_UNSUPPORTED_KEY;
    } else {
        sk = br_skey_decoder_get_rsa(&decoder);
        if (sk->n_bitlen < GSC_RSA_MIN_BITS || sk->n_bitlen > GSC_RSA_MAX_BITS) status = GSC_ERR_CRYPTO_UNSUPPORTED_KEY;
    }
    if (status == GSC_OK) {
        const uint32_t size_bytes = (sk->n_bitlen + 7) / 8;
        if (size_bytes > signature_capacity_bytes) {
            status = GSC_ERR_BUFFER_TOO_SMALL;
        } else {
            unsigned char digest[GSC_SHA256_SIZE];
            sha256_of(message, message_size_bytes, digest);
            const br_rsa_pkcs1_sign sign = br_rsa_pkcs1_sign_get_default();
            if (sign(BR_HASH_OID_SHA256, digest, sizeof digest, sk, signature) == 1) {
                *signature_size_bytes = size_bytes;
            } else {
                status = GSC_ERR_CRYPTO_SIGN_FAILED;
            }
        }
    }
    wipe(&decoder, sizeof decoder);
    return status;
}

gsc_status gsc_rsa_verify_sha256(const uint8_t *modulus, uint32_t modulus_size_bytes, const uint8_t *exponent,
                                 uint32_t exponent_size_bytes, const uint8_t *message, uint32_t message_size_bytes,
                                 const uint8_t *signature, uint32_t signature_size_bytes) {
    if (modulus == nullptr || exponent == nullptr || (message == nullptr && message_size_bytes != 0) ||
        (signature == nullptr && signature_size_bytes != 0)) {
        return GSC_ERR_NULL_ARGUMENT;
    }
    const Trimmed n = trim_leading_zeros(modulus, modulus_size_bytes);
    const Trimmed e = trim_leading_zeros(exponent, exponent_size_bytes);
    const std::size_t n_bits = bit_length(n);
    if (n_bits < GSC_RSA_MIN_BITS || n_bits > GSC_RSA_MAX_BITS || (n.bytes[n.size_bytes - 1] & 1) == 0) {
        return GSC_ERR_CRYPTO_BAD_PUBLIC_KEY;
    }
    if (e.size_bytes == 0 || e.size_bytes > kMaxExponentBytes || (e.bytes[e.size_bytes - 1] & 1) == 0) {
        return GSC_ERR_CRYPTO_BAD_PUBLIC_KEY;
    }
    if (signature_size_bytes != n.size_bytes) return GSC_ERR_CRYPTO_BAD_SIGNATURE;

    // BearSSL's key struct wants mutable pointers but only reads through them.
    br_rsa_public_key pk = {const_cast<unsigned char *>(n.bytes), n.size_bytes, const_cast<unsigned char *>(e.bytes),
                            e.size_bytes};
    unsigned char recovered[GSC_SHA256_SIZE];
    const br_rsa_pkcs1_vrfy verify = br_rsa_pkcs1_vrfy_get_default();
    if (verify(signature, signature_size_bytes, BR_HASH_OID_SHA256, sizeof recovered, &pk, recovered) != 1) {
        return GSC_ERR_CRYPTO_BAD_SIGNATURE;
    }
    unsigned char expected[GSC_SHA256_SIZE];
    sha256_of(message, message_size_bytes, expected);
    // Everything compared here is public, so an early-exit comparison leaks nothing.
    return std::memcmp(recovered, expected, sizeof expected) == 0 ? GSC_OK : GSC_ERR_CRYPTO_BAD_SIGNATURE;
}
