// Known-answer and property tests of AES-128-GCM (gsc_crypto_gcm.h). Every case name contains
// "gcm", so `bash native/test.sh gcm` runs exactly these.
#include <cstring>
#include <string>

#include "gsc_crypto_gcm.h"
#include "test_harness.hpp"

using gsc_test::Bytes;
using gsc_test::hex;

namespace {

struct GcmCase {
    const char *name;
    const char *key_hex;
    const char *nonce_hex;
    const char *plain_hex;
    const char *aad_hex;
    const char *cipher_hex;
    const char *tag_hex;
};

#define GCM_TC3_KEY "feffe9928665731c6d6a8f9467308308"
#define GCM_TC3_PLAIN_60                                                                     \
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24" \
    "49a6b525b16aedf5aa0de657ba637b39"
#define GCM_TC4_AAD "feedfacedeadbeeffeedfacedeadbeefabaddad2"

// The AES-128 test cases 1-6 of the GCM specification submitted to NIST (McGrew and Viega,
// "The Galois/Counter Mode of Operation", revised 2005), also used by SP 800-38D validation:
// empty message, one zero block, four blocks, a partial block with AAD, and the 8-byte and
// 60-byte nonces that take GHASH's non-96-bit path.
const GcmCase kGcmCases[] = {
    {"tc1 empty", "00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"tc2 one zero block", "00000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"},
    {"tc3 four blocks", GCM_TC3_KEY, "cafebabefacedbaddecaf888", GCM_TC3_PLAIN_60 "1aafd255", "",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac97"
     "3d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"tc4 partial block and aad", GCM_TC3_KEY, "cafebabefacedbaddecaf888", GCM_TC3_PLAIN_60, GCM_TC4_AAD,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac97"
     "3d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"tc5 8-byte nonce", GCM_TC3_KEY, "cafebabefacedbad", GCM_TC3_PLAIN_60, GCM_TC4_AAD,
     "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f"
     "07c23f4598",
     "3612d2e79e3b0785561be14aaca2fccb"},
    {"tc6 60-byte nonce", GCM_TC3_KEY,
     "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a"
     "57a637b39b",
     GCM_TC3_PLAIN_60, GCM_TC4_AAD,
     "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417"
     "034c34aee5",
     "619cc5aefffe0bfa462af43c1699d050"},
};

// A real encrypted RTSP request (control-plane.md §6.1): the first frame the client sent in
// shared/captures/sunshine-2026.817/dev-h264-720p60, OPTIONS (89 bytes of ASCII), under that
// session's rikey (keys.json); nonce = LE32 sequence 1, six zero bytes, 'C' (client), 'R'.
const GcmCase kRtspOptionsFrame = {
    "rtsp options frame", "f5ec232291c5b8b3b172680f0cfb0983", "010000000000000000004352",
    "4f5054494f4e5320727473703a2f2f302e302e302e303a343830313020525453502f312e300d0a435365713a20310d0a582d47532d436c"
    "69656e7456657273696f6e3a2031340d0a486f73743a20302e302e302e300d0a0d0a",
    "",
    "f5dfa327f29daee129015d8caba34458d53c675ce0af62d2695c2d8d9f9cb94a05c237bd45b6424b99148f1a413fa8230ab3b640e81cdc"
    "66e3f8b759aedeb3a106090ae096c294d160e4f3b7476725cf040e0cc168d595a273",
    "f2386605e775294b24d8d91c0a14d5cd"};

uint32_t size32(const Bytes &bytes) { return static_cast<uint32_t>(bytes.size()); }

const uint8_t *ptr_or_null(const Bytes &bytes) { return bytes.empty() ? nullptr : bytes.data(); }
uint8_t *ptr_or_null(Bytes &bytes) { return bytes.empty() ? nullptr : bytes.data(); }

}  // namespace

TEST(aes128_gcm_matches_the_nist_gcm_test_cases_both_ways) {
    for (const GcmCase &c : kGcmCases) {
        const Bytes key = hex(c.key_hex), nonce = hex(c.nonce_hex), plain = hex(c.plain_hex), aad = hex(c.aad_hex);
        const Bytes cipher = hex(c.cipher_hex), tag = hex(c.tag_hex);
        Bytes out(plain.size());
        uint8_t tag_out[GSC_AES_GCM_TAG_SIZE] = {};
        CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), nonce.data(), size32(nonce), ptr_or_null(aad), size32(aad),
                                        ptr_or_null(plain), size32(plain), ptr_or_null(out), tag_out),
                 GSC_OK);
        CHECK_BYTES(out.data(), out.size(), c.cipher_hex);
        CHECK_BYTES(tag_out, sizeof tag_out, c.tag_hex);
        Bytes back(cipher.size());
        CHECK_EQ(gsc_aes128_gcm_decrypt(key.data(), nonce.data(), size32(nonce), ptr_or_null(aad), size32(aad),
                                        ptr_or_null(cipher), size32(cipher), tag.data(), ptr_or_null(back)),
                 GSC_OK);
        CHECK_BYTES(back.data(), back.size(), c.plain_hex);
    }
}

TEST(aes128_gcm_works_in_place_both_ways) {
    const GcmCase &c = kGcmCases[3];
    const Bytes key = hex(c.key_hex), nonce = hex(c.nonce_hex), aad = hex(c.aad_hex);
    Bytes buffer = hex(c.plain_hex);
    uint8_t tag[GSC_AES_GCM_TAG_SIZE] = {};
    CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), nonce.data(), size32(nonce), aad.data(), size32(aad), buffer.data(),
                                    size32(buffer), buffer.data(), tag),
             GSC_OK);
    CHECK_BYTES(buffer.data(), buffer.size(), c.cipher_hex);
    CHECK_EQ(gsc_aes128_gcm_decrypt(key.data(), nonce.data(), size32(nonce), aad.data(), size32(aad), buffer.data(),
                                    size32(buffer), tag, buffer.data()),
             GSC_OK);
    CHECK_BYTES(buffer.data(), buffer.size(), c.plain_hex);
}

TEST(aes128_gcm_rejects_any_altered_byte_and_zeroes_the_output) {
    const GcmCase &c = kGcmCases[3];
    const Bytes key = hex(c.key_hex), nonce = hex(c.nonce_hex), aad = hex(c.aad_hex);
    const Bytes cipher = hex(c.cipher_hex), tag = hex(c.tag_hex);
    // One flipped bit in each input that the tag covers must fail authentication.
    for (int which = 0; which < 4; ++which) {
        for (std::size_t at : {std::size_t{0}, std::size_t{5}}) {
            Bytes k = key, n = nonce, a = aad, ct = cipher, t = tag;
            Bytes *target = which == 0 ? &n : which == 1 ? &a : which == 2 ? &ct : &t;
            (*target)[at] ^= 0x01;
            Bytes out(ct.size(), 0xAA);
            CHECK_EQ(gsc_aes128_gcm_decrypt(k.data(), n.data(), size32(n), a.data(), size32(a), ct.data(), size32(ct),
                                            t.data(), out.data()),
                     GSC_ERR_CRYPTO_GCM_AUTH_FAILED);
            CHECK(out == Bytes(ct.size(), 0));
        }
    }
    // The wrong key fails too, and a truncated ciphertext is a different message.
    Bytes wrong_key = key;
    wrong_key[15] ^= 0x80;
    Bytes out(cipher.size());
    CHECK_EQ(gsc_aes128_gcm_decrypt(wrong_key.data(), nonce.data(), size32(nonce), aad.data(), size32(aad),
                                    cipher.data(), size32(cipher), tag.data(), out.data()),
             GSC_ERR_CRYPTO_GCM_AUTH_FAILED);
    CHECK_EQ(gsc_aes128_gcm_decrypt(key.data(), nonce.data(), size32(nonce), aad.data(), size32(aad), cipher.data(),
                                    size32(cipher) - 1, tag.data(), out.data()),
             GSC_ERR_CRYPTO_GCM_AUTH_FAILED);
}

TEST(aes128_gcm_matches_a_real_encrypted_rtsp_frame) {
    const GcmCase &c = kRtspOptionsFrame;
    const Bytes key = hex(c.key_hex), nonce = hex(c.nonce_hex), plain = hex(c.plain_hex);
    const Bytes cipher = hex(c.cipher_hex), tag = hex(c.tag_hex);
    Bytes out(plain.size());
    uint8_t tag_out[GSC_AES_GCM_TAG_SIZE] = {};
    CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), nonce.data(), size32(nonce), nullptr, 0, plain.data(), size32(plain),
                                    out.data(), tag_out),
             GSC_OK);
    CHECK_BYTES(out.data(), out.size(), c.cipher_hex);
    CHECK_BYTES(tag_out, sizeof tag_out, c.tag_hex);
    // The same frame read with the host's direction letter ('H') must not authenticate.
    Bytes host_nonce = nonce;
    host_nonce[10] = 'H';
    CHECK_EQ(gsc_aes128_gcm_decrypt(key.data(), host_nonce.data(), size32(host_nonce), nullptr, 0, cipher.data(),
                                    size32(cipher), tag.data(), out.data()),
             GSC_ERR_CRYPTO_GCM_AUTH_FAILED);
}

TEST(aes128_gcm_checks_arguments_before_writing) {
    const Bytes key = hex(kGcmCases[2].key_hex), nonce = hex(kGcmCases[2].nonce_hex), plain = hex(kGcmCases[2].plain_hex);
    Bytes out(plain.size(), 0x55);
    uint8_t tag[GSC_AES_GCM_TAG_SIZE] = {};
    const uint8_t big_nonce[GSC_AES_GCM_NONCE_MAX_SIZE + 1] = {};
    CHECK_EQ(gsc_aes128_gcm_encrypt(nullptr, nonce.data(), 12, nullptr, 0, plain.data(), size32(plain), out.data(), tag),
             GSC_ERR_NULL_ARGUMENT);
    CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), nullptr, 12, nullptr, 0, plain.data(), size32(plain), out.data(), tag),
             GSC_ERR_NULL_ARGUMENT);
    CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), nonce.data(), 12, nullptr, 4, plain.data(), size32(plain), out.data(),
                                    tag),
             GSC_ERR_NULL_ARGUMENT);
    CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), nonce.data(), 12, nullptr, 0, nullptr, size32(plain), out.data(), tag),
             GSC_ERR_NULL_ARGUMENT);
    CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), nonce.data(), 12, nullptr, 0, plain.data(), size32(plain), out.data(),
                                    nullptr),
             GSC_ERR_NULL_ARGUMENT);
    CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), nonce.data(), 0, nullptr, 0, plain.data(), size32(plain), out.data(), tag),
             GSC_ERR_BAD_LENGTH);
    CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), big_nonce, sizeof big_nonce, nullptr, 0, plain.data(), size32(plain),
                                    out.data(), tag),
             GSC_ERR_BAD_LENGTH);
    CHECK_EQ(gsc_aes128_gcm_decrypt(key.data(), big_nonce, sizeof big_nonce, nullptr, 0, plain.data(), size32(plain),
                                    tag, out.data()),
             GSC_ERR_BAD_LENGTH);
    CHECK_EQ(gsc_aes128_gcm_decrypt(key.data(), nonce.data(), 12, nullptr, 0, plain.data(), size32(plain), nullptr,
                                    out.data()),
             GSC_ERR_NULL_ARGUMENT);
    CHECK(out == Bytes(plain.size(), 0x55));
    // The longest nonce allowed is accepted.
    CHECK_EQ(gsc_aes128_gcm_encrypt(key.data(), big_nonce, GSC_AES_GCM_NONCE_MAX_SIZE, nullptr, 0, plain.data(),
                                    size32(plain), out.data(), tag),
             GSC_OK);
}

TEST(aes128_gcm_keeps_no_state_between_calls_with_different_keys) {
    // Stateless calls: encrypting twice with the same inputs gives identical bytes, and two
    // interleaved keys do not disturb each other (no hidden state between calls).
    const GcmCase &a = kGcmCases[2];
    const GcmCase &b = kGcmCases[1];
    const Bytes key_a = hex(a.key_hex), nonce_a = hex(a.nonce_hex), plain_a = hex(a.plain_hex);
    const Bytes key_b = hex(b.key_hex), nonce_b = hex(b.nonce_hex), plain_b = hex(b.plain_hex);
    for (int round = 0; round < 2; ++round) {
        Bytes out_a(plain_a.size()), out_b(plain_b.size());
        uint8_t tag_a[GSC_AES_GCM_TAG_SIZE], tag_b[GSC_AES_GCM_TAG_SIZE];
        CHECK_EQ(gsc_aes128_gcm_encrypt(key_a.data(), nonce_a.data(), 12, nullptr, 0, plain_a.data(), size32(plain_a),
                                        out_a.data(), tag_a),
                 GSC_OK);
        CHECK_EQ(gsc_aes128_gcm_encrypt(key_b.data(), nonce_b.data(), 12, nullptr, 0, plain_b.data(), size32(plain_b),
                                        out_b.data(), tag_b),
                 GSC_OK);
        CHECK_BYTES(out_a.data(), out_a.size(), a.cipher_hex);
        CHECK_BYTES(tag_a, sizeof tag_a, a.tag_hex);
        CHECK_BYTES(out_b.data(), out_b.size(), b.cipher_hex);
        CHECK_BYTES(tag_b, sizeof tag_b, b.tag_hex);
    }
}
