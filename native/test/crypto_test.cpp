// Known-answer and property tests of the pairing crypto (gsc_crypto.h).
#include <cstring>
#include <string>

#include "gsc.h"
#include "test_harness.hpp"

using gsc_test::Bytes;
using gsc_test::hex;

namespace {

Bytes ascii(const char *text) { return Bytes(text, text + std::strlen(text)); }

struct HashCase {
    const char *name;
    Bytes message;
    const char *sha256_hex;
    const char *sha1_hex;
};

// FIPS 180-2 appendix examples, and the empty message.
const HashCase kHashCases[] = {
    {"empty", Bytes(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"abc", ascii("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
     "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {"two blocks", ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
};

struct AesCase {
    const char *name;
    const char *key_hex;
    const char *plain_hex;
    const char *cipher_hex;
};

const AesCase kAesCases[] = {
    // FIPS-197 appendix C.1.
    {"fips-197 c.1", "000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
     "69c4e0d86a7b0430d8cdb78070b4c55a"},
    // FIPS-197 appendix B.
    {"fips-197 b", "2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734",
     "3925841d02dc09fbdc118597196a0b32"},
    // NIST SP 800-38A F.1.1 (ECB-AES128), four blocks: ECB must treat each block alone.
    {"sp800-38a f.1.1", "2b7e151628aed2a6abf7158809cf4f3c",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
     "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
     "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
     "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4"},
};

// An RSA-1024 key made by OpenSSL 3 (`openssl genrsa -traditional 1024`), as PKCS#1 DER and
// as PKCS#8 DER, with OpenSSL's SHA-256 signature of kSignedMessage: an independent
// implementation's answer for both sign and verify.
const char kOpensslKeyPkcs1Hex[] =
    "3082025e02010002818100e504cc09b743c6421ce37d534d83c7923d66e43296dfdbcd4faf0f6e3063fee0b9f86133dd"
    "239b7bf9104de1bb7633d7ccaafc83832b7f5da36bc063ab217e9f1e3d3966a43184113d7b3ff0608a156b616e80cbf1"
    "555a9be97b963efae9c8501d440b106107b8f711020745612865f76feff9838e275ced52009623e0f24ebd0203010001"
    "02818100c9173a3579c6b7e9cb45f100593ad1dcd5af67c607f64e20ebcbd227b5b3c7d3f9575fba537d758418c0b931"
    "f111ac19db6b73c7e2402a58c52ad2c671383addc0c05fb929afec5832beafc6c9f3107559f01cd2a08da7af24e5f601"
    "34009ccc165d804b20f4970da6ceac9059f93bb623f8e73289449ee425b92ab50baacf7d024100fed24843ffd69e21b0"
    "35ed829784c18fc200ad7c318ba15608e9e123d59c6ab76b7ea25523a837250860b94e37f558fd36deb7435224845cbf"
    "040d97b5b8a2c7024100e613f6a3f224ff688e4dab7c2fd6f2b92a776424f132c74e16404649d36834994115484e78f9"
    "34772b7763278c0646a852eb27ad4ac324f8d949a9b3e3b9fe5b024063f63fcd1516af0fce1d499fda2a84f80d05d108"
    "9033134639d6edafee031f45f6d045841aa9c980288a3107432267176627f6425d7ddfc2b65833b0d8e3a64f024100c8"
    "8bdc2f9970a0645daddbed1ab20cce53f2cf8ad7e7400c939ea0e5d6ed7cf39ce4552b798d172b4ceafab5ccfae779ef"
    "14e477cbb3ffb51d8974efc56f2903024100995f5a9a5daad2ed7c1580b6cf948d5dc61d436e14bec17d6be4a4b6256f"
    "fa5c2711b491d8fb933be1171a40c30c181b5c83cf2bb5ddb669b5b3e9864791d07a";
const char kOpensslKeyPkcs8Hex[] =
    "30820278020100300d06092a864886f70d0101010500048202623082025e02010002818100e504cc09b743c6421ce37d"
    "534d83c7923d66e43296dfdbcd4faf0f6e3063fee0b9f86133dd239b7bf9104de1bb7633d7ccaafc83832b7f5da36bc0"
    "63ab217e9f1e3d3966a43184113d7b3ff0608a156b616e80cbf1555a9be97b963efae9c8501d440b106107b8f7110207"
    "45612865f76feff9838e275ced52009623e0f24ebd020301000102818100c9173a3579c6b7e9cb45f100593ad1dcd5af"
    "67c607f64e20ebcbd227b5b3c7d3f9575fba537d758418c0b931f111ac19db6b73c7e2402a58c52ad2c671383addc0c0"
    "5fb929afec5832beafc6c9f3107559f01cd2a08da7af24e5f60134009ccc165d804b20f4970da6ceac9059f93bb623f8"
    "e73289449ee425b92ab50baacf7d024100fed24843ffd69e21b035ed829784c18fc200ad7c318ba15608e9e123d59c6a"
    "b76b7ea25523a837250860b94e37f558fd36deb7435224845cbf040d97b5b8a2c7024100e613f6a3f224ff688e4dab7c"
    "2fd6f2b92a776424f132c74e16404649d36834994115484e78f934772b7763278c0646a852eb27ad4ac324f8d949a9b3"
    "e3b9fe5b024063f63fcd1516af0fce1d499fda2a84f80d05d1089033134639d6edafee031f45f6d045841aa9c980288a"
    "3107432267176627f6425d7ddfc2b65833b0d8e3a64f024100c88bdc2f9970a0645daddbed1ab20cce53f2cf8ad7e740"
    "0c939ea0e5d6ed7cf39ce4552b798d172b4ceafab5ccfae779ef14e477cbb3ffb51d8974efc56f2903024100995f5a9a"
    "5daad2ed7c1580b6cf948d5dc61d436e14bec17d6be4a4b6256ffa5c2711b491d8fb933be1171a40c30c181b5c83cf2b"
    "b5ddb669b5b3e9864791d07a";
const char kOpensslModulusHex[] =
    "e504cc09b743c6421ce37d534d83c7923d66e43296dfdbcd4faf0f6e3063fee0b9f86133dd239b7bf9104de1bb7633d7"
    "ccaafc83832b7f5da36bc063ab217e9f1e3d3966a43184113d7b3ff0608a156b616e80cbf1555a9be97b963efae9c850"
    "1d440b106107b8f711020745612865f76feff9838e275ced52009623e0f24ebd";
const char kSignedMessage[] = "pairing secret";
const char kOpensslSignatureHex[] =
    "e0db30419c0c1f5db72d3c5011ba083ad5d2a63ca84d1bab11984674892e51947d241636adc925f79601fe1798d132cf"
    "f635153500937efa2f39f21b9f9630c4c8e02fec3e1027aa3e5c2a66aee1deaacc28d2d618ba3c9ef3452f3249d116dd"
    "02044586729dc40df988de5ea284b8bd3ee8331b2b4e6be76a6c8a479ad1a1f2";
// A P-256 private key (`openssl ecparam -genkey -outform DER`): well-formed, but not RSA.
const char kEcKeyHex[] =
    "30770201010420c5c94861dc4db97ff1708592502d606604de0a47b58839c58a46066906e792bca00a06082a8648ce3d"
    "030107a14403420004550439a026fc2bc9eed8473f296cdbb01df696ad47ac01a2309dc17fc0f813dcad1f77184f3deb"
    "9792dffe442301f42149e698524eb8cecc7576847c1e450f95";

struct GeneratedKey {
    gsc_status status;
    Bytes der;
    Bytes modulus;
    uint32_t exponent;
};

GeneratedKey generate(const Bytes &seed) {
    GeneratedKey key{GSC_OK, Bytes(GSC_RSA2048_PRIVATE_DER_MAX_SIZE), Bytes(GSC_RSA2048_MODULUS_SIZE), 0};
    uint32_t der_size = 0;
    key.status = gsc_rsa2048_generate(seed.data(), static_cast<uint32_t>(seed.size()), key.der.data(),
                                      static_cast<uint32_t>(key.der.size()), &der_size, key.modulus.data(),
                                      &key.exponent);
    key.der.resize(der_size);
    return key;
}

Bytes seed_of(uint8_t first) {
    Bytes seed(GSC_RSA_SEED_MIN_SIZE);
    for (std::size_t i = 0; i < seed.size(); i++) seed[i] = static_cast<uint8_t>(first + i);
    return seed;
}

struct Signed {
    gsc_status status;
    Bytes signature;
};

Signed sign(const Bytes &der, const Bytes &message) {
    Signed out{GSC_OK, Bytes(GSC_RSA_MAX_BITS / 8)};
    uint32_t size = 0;
    out.status = gsc_rsa_sign_sha256(der.data(), static_cast<uint32_t>(der.size()), message.data(),
                                     static_cast<uint32_t>(message.size()), out.signature.data(),
                                     static_cast<uint32_t>(out.signature.size()), &size);
    out.signature.resize(size);
    return out;
}

gsc_status verify(const Bytes &modulus, const Bytes &exponent, const Bytes &message, const Bytes &signature) {
    return gsc_rsa_verify_sha256(modulus.data(), static_cast<uint32_t>(modulus.size()), exponent.data(),
                                 static_cast<uint32_t>(exponent.size()), message.data(),
                                 static_cast<uint32_t>(message.size()), signature.data(),
                                 static_cast<uint32_t>(signature.size()));
}

const Bytes kExponent65537 = {0x01, 0x00, 0x01};

// SHA-256 of the DER of the key generated from seed 00 01 .. 1f (recorded from this core).
const char kSeed0KeyDigestHex[] = "8c173f0cbd7c2a4471b45174e892c29bb3063cc83f5bdcba3e29385d21dde6ec";

}  // namespace

TEST(sha256_and_sha1_match_fips_180_vectors) {
    for (const HashCase &c : kHashCases) {
        uint8_t digest256[GSC_SHA256_SIZE] = {};
        uint8_t digest1[GSC_SHA1_SIZE] = {};
        CHECK_EQ(gsc_sha256(c.message.data(), static_cast<uint32_t>(c.message.size()), digest256), GSC_OK);
        CHECK_EQ(gsc_sha1(c.message.data(), static_cast<uint32_t>(c.message.size()), digest1), GSC_OK);
        CHECK_BYTES(digest256, sizeof digest256, c.sha256_hex);
        CHECK_BYTES(digest1, sizeof digest1, c.sha1_hex);
    }
}

TEST(hashing_an_empty_message_accepts_a_null_pointer) {
    uint8_t digest[GSC_SHA256_SIZE] = {};
    CHECK_EQ(gsc_sha256(nullptr, 0, digest), GSC_OK);
    CHECK_BYTES(digest, sizeof digest, kHashCases[0].sha256_hex);
    CHECK_EQ(gsc_sha256(nullptr, 1, digest), GSC_ERR_NULL_ARGUMENT);
    CHECK_EQ(gsc_sha1(kHashCases[1].message.data(), 3, nullptr), GSC_ERR_NULL_ARGUMENT);
}

TEST(aes128_ecb_matches_fips_197_and_sp800_38a_both_ways) {
    for (const AesCase &c : kAesCases) {
        const Bytes key = hex(c.key_hex);
        const Bytes plain = hex(c.plain_hex);
        const Bytes cipher = hex(c.cipher_hex);
        Bytes out(plain.size());
        CHECK_EQ(gsc_aes128_ecb_encrypt(key.data(), plain.data(), static_cast<uint32_t>(plain.size()), out.data()), GSC_OK);
        CHECK_BYTES(out.data(), out.size(), c.cipher_hex);
        CHECK_EQ(gsc_aes128_ecb_decrypt(key.data(), cipher.data(), static_cast<uint32_t>(cipher.size()), out.data()), GSC_OK);
        CHECK_BYTES(out.data(), out.size(), c.plain_hex);
    }
}

TEST(aes128_ecb_works_in_place) {
    const AesCase &c = kAesCases[2];
    const Bytes key = hex(c.key_hex);
    Bytes buffer = hex(c.plain_hex);
    const uint32_t size = static_cast<uint32_t>(buffer.size());
    CHECK_EQ(gsc_aes128_ecb_encrypt(key.data(), buffer.data(), size, buffer.data()), GSC_OK);
    CHECK_BYTES(buffer.data(), buffer.size(), c.cipher_hex);
    CHECK_EQ(gsc_aes128_ecb_decrypt(key.data(), buffer.data(), size, buffer.data()), GSC_OK);
    CHECK_BYTES(buffer.data(), buffer.size(), c.plain_hex);
}

TEST(aes128_ecb_rejects_a_partial_block_and_writes_nothing) {
    const Bytes key = hex(kAesCases[0].key_hex);
    const Bytes input(17, 0xaa);
    Bytes out(17, 0x55);
    for (uint32_t size : {1u, 15u, 17u}) {
        CHECK_EQ(gsc_aes128_ecb_encrypt(key.data(), input.data(), size, out.data()), GSC_ERR_BAD_LENGTH);
        CHECK_EQ(gsc_aes128_ecb_decrypt(key.data(), input.data(), size, out.data()), GSC_ERR_BAD_LENGTH);
    }
    CHECK(out == Bytes(17, 0x55));
    CHECK_EQ(gsc_aes128_ecb_encrypt(key.data(), nullptr, 0, nullptr), GSC_OK);
    CHECK_EQ(gsc_aes128_ecb_encrypt(nullptr, input.data(), 16, out.data()), GSC_ERR_NULL_ARGUMENT);
}

TEST(openssl_signature_verifies_and_our_signature_is_identical_to_it) {
    const Bytes message = ascii(kSignedMessage);
    const Bytes expected = hex(kOpensslSignatureHex);
    CHECK_EQ(verify(hex(kOpensslModulusHex), kExponent65537, message, expected), GSC_OK);
    for (const char *key_hex : {kOpensslKeyPkcs1Hex, kOpensslKeyPkcs8Hex}) {
        const Signed ours = sign(hex(key_hex), message);
        CHECK_EQ(ours.status, GSC_OK);
        CHECK_BYTES(ours.signature.data(), ours.signature.size(), kOpensslSignatureHex);
    }
}

TEST(verify_rejects_any_flipped_bit_of_signature_or_message) {
    const Bytes modulus = hex(kOpensslModulusHex);
    const Bytes message = ascii(kSignedMessage);
    const Bytes signature = hex(kOpensslSignatureHex);
    for (std::size_t bit = 0; bit < signature.size() * 8; bit += 37) {
        Bytes flipped = signature;
        flipped[bit / 8] = static_cast<uint8_t>(flipped[bit / 8] ^ (1u << (bit % 8)));
        CHECK_EQ(verify(modulus, kExponent65537, message, flipped), GSC_ERR_CRYPTO_BAD_SIGNATURE);
    }
    for (std::size_t bit = 0; bit < message.size() * 8; bit++) {
        Bytes flipped = message;
        flipped[bit / 8] = static_cast<uint8_t>(flipped[bit / 8] ^ (1u << (bit % 8)));
        CHECK_EQ(verify(modulus, kExponent65537, flipped, signature), GSC_ERR_CRYPTO_BAD_SIGNATURE);
    }
}

TEST(verify_rejects_a_signature_of_the_wrong_length) {
    const Bytes modulus = hex(kOpensslModulusHex);
    const Bytes message = ascii(kSignedMessage);
    Bytes signature = hex(kOpensslSignatureHex);
    signature.pop_back();
    CHECK_EQ(verify(modulus, kExponent65537, message, signature), GSC_ERR_CRYPTO_BAD_SIGNATURE);
    CHECK_EQ(verify(modulus, kExponent65537, message, Bytes()), GSC_ERR_CRYPTO_BAD_SIGNATURE);
}

TEST(verify_ignores_leading_zeros_of_modulus_and_exponent) {
    Bytes modulus = hex(kOpensslModulusHex);
    modulus.insert(modulus.begin(), 0x00);
    const Bytes exponent = {0x00, 0x01, 0x00, 0x01};
    CHECK_EQ(verify(modulus, exponent, ascii(kSignedMessage), hex(kOpensslSignatureHex)), GSC_OK);
}

TEST(verify_rejects_unusable_public_keys) {
    const Bytes message = ascii(kSignedMessage);
    const Bytes signature = hex(kOpensslSignatureHex);
    Bytes even = hex(kOpensslModulusHex);
    even.back() = static_cast<uint8_t>(even.back() & 0xfe);
    CHECK_EQ(verify(even, kExponent65537, message, signature), GSC_ERR_CRYPTO_BAD_PUBLIC_KEY);
    CHECK_EQ(verify(Bytes(128, 0), kExponent65537, message, signature), GSC_ERR_CRYPTO_BAD_PUBLIC_KEY);
    CHECK_EQ(verify(Bytes(64, 0xff), kExponent65537, message, Bytes(64, 1)), GSC_ERR_CRYPTO_BAD_PUBLIC_KEY);
    CHECK_EQ(verify(Bytes(513, 0xff), kExponent65537, message, Bytes(513, 1)), GSC_ERR_CRYPTO_BAD_PUBLIC_KEY);
    CHECK_EQ(verify(hex(kOpensslModulusHex), Bytes{0x01, 0x00, 0x00}, message, signature), GSC_ERR_CRYPTO_BAD_PUBLIC_KEY);
    CHECK_EQ(verify(hex(kOpensslModulusHex), Bytes{0x00}, message, signature), GSC_ERR_CRYPTO_BAD_PUBLIC_KEY);
    CHECK_EQ(verify(hex(kOpensslModulusHex), Bytes(5, 1), message, signature), GSC_ERR_CRYPTO_BAD_PUBLIC_KEY);
}

TEST(sign_rejects_malformed_and_non_rsa_keys) {
    const Bytes message = ascii(kSignedMessage);
    Bytes truncated = hex(kOpensslKeyPkcs1Hex);
    truncated.resize(truncated.size() / 2);
    CHECK_EQ(sign(truncated, message).status, GSC_ERR_CRYPTO_BAD_PRIVATE_KEY);
    CHECK_EQ(sign(Bytes(32, 0x30), message).status, GSC_ERR_CRYPTO_BAD_PRIVATE_KEY);
    CHECK_EQ(sign(hex(kEcKeyHex), message).status, GSC_ERR_CRYPTO_UNSUPPORTED_KEY);
}

TEST(sign_reports_a_too_small_signature_buffer) {
    const Bytes der = hex(kOpensslKeyPkcs1Hex);
    const Bytes message = ascii(kSignedMessage);
    Bytes signature(127);
    uint32_t size = 0;
    CHECK_EQ(gsc_rsa_sign_sha256(der.data(), static_cast<uint32_t>(der.size()), message.data(),
                                 static_cast<uint32_t>(message.size()), signature.data(), 127, &size),
             GSC_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(size, 0u);
}

TEST(generated_key_signs_and_verifies_and_rejects_flipped_bits) {
    const GeneratedKey key = generate(seed_of(0));
    REQUIRE_EQ(key.status, GSC_OK);
    CHECK_EQ(key.exponent, 65537u);
    CHECK((key.modulus[0] & 0x80) != 0);
    CHECK(key.der.size() > 1000 && key.der.size() <= GSC_RSA2048_PRIVATE_DER_MAX_SIZE);
    // PKCS#1 RSAPrivateKey: SEQUENCE { INTEGER 0 (version), INTEGER n, ... }.
    CHECK_BYTES(key.der.data(), 3, "308204");
    const Bytes message = ascii("server secret 0123456789abcdef");
    const Signed signed_message = sign(key.der, message);
    REQUIRE_EQ(signed_message.status, GSC_OK);
    REQUIRE_EQ(signed_message.signature.size(), std::size_t{GSC_RSA2048_MODULUS_SIZE});
    CHECK_EQ(verify(key.modulus, kExponent65537, message, signed_message.signature), GSC_OK);
    Bytes flipped = signed_message.signature;
    flipped[100] ^= 0x10;
    CHECK_EQ(verify(key.modulus, kExponent65537, message, flipped), GSC_ERR_CRYPTO_BAD_SIGNATURE);
}

TEST(key_generation_is_a_function_of_the_seed) {
    const GeneratedKey first = generate(seed_of(0));
    const GeneratedKey again = generate(seed_of(0));
    const GeneratedKey other = generate(seed_of(1));
    REQUIRE_EQ(first.status, GSC_OK);
    REQUIRE_EQ(other.status, GSC_OK);
    CHECK(first.der == again.der);
    CHECK(first.modulus != other.modulus);
    // The same seed must give this very key in core.wasm too (test/unit/wasm/core.test.ts).
    uint8_t digest[GSC_SHA256_SIZE] = {};
    CHECK_EQ(gsc_sha256(first.der.data(), static_cast<uint32_t>(first.der.size()), digest), GSC_OK);
    CHECK_BYTES(digest, sizeof digest, kSeed0KeyDigestHex);
}

TEST(key_generation_rejects_a_short_seed_and_a_small_buffer) {
    const Bytes short_seed(GSC_RSA_SEED_MIN_SIZE - 1, 7);
    CHECK_EQ(generate(short_seed).status, GSC_ERR_CRYPTO_SEED_TOO_SHORT);
    const Bytes seed = seed_of(0);
    Bytes der(600);
    Bytes modulus(GSC_RSA2048_MODULUS_SIZE);
    uint32_t der_size = 0;
    uint32_t exponent = 0;
    CHECK_EQ(gsc_rsa2048_generate(seed.data(), static_cast<uint32_t>(seed.size()), der.data(), 600, &der_size,
                                  modulus.data(), &exponent),
             GSC_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(der_size, 0u);
    CHECK_EQ(exponent, 0u);
}
