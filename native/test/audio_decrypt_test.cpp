// Audio decryption (audio_decrypt.hpp; data-plane.md §3.4, control-plane.md §5.3): known
// answers from OpenSSL and from a real Sunshine session, the IV's wrap-around, and padding.
#include <cstring>

#include <bearssl_block.h>

#include "audio_decrypt.hpp"
#include "test_harness.hpp"

using gsc_test::Bytes;
using gsc_test::hex;

namespace {

struct DecryptCase {
    const char *name;
    const char *key_hex;
    int32_t rikeyid;
    uint16_t sequence;
    const char *cipher_hex;
    const char *plain_hex;
};

// The first three were made with `openssl enc -aes-128-cbc -K <key> -iv <iv>` (PKCS#7 is its
// default padding), the IV written out by hand from rikeyid + sequence.
const DecryptCase kDecryptCases[] = {
    {"rikeyid -1 plus sequence 5 wraps to IV word 4 (a full block of padding)", "000102030405060708090a0b0c0d0e0f", -1,
     5, "89ce35d946c83b565a55218b0a15f00c41dac7dd65032a6bdbc292d43d5b4d83", "47616d6553747265616d20617564696f"},
    {"IV word 0x7fffffff", "000102030405060708090a0b0c0d0e0f", 0x7ffffff0, 15,
     "1d713640ea1a96426f744d6d5b2618a577b05181cc5c435d1448c506b5a87fe0", "7369787465656e2062797465206d7367"},
    {"INT32_MAX plus 1 is IV word 0x80000000 (11 bytes of padding)", "000102030405060708090a0b0c0d0e0f", 0x7fffffff, 1,
     "82109decd93ee5f5229bc229c627491d", "73686f7274"},
    // sunshine-0.23.1/dev-h264-720p60: keys.json, the RTP payload of audio seq 100 in
    // capture.pcap, and the first record of audio.opus-records (what Moonlight decoded).
    {"real Sunshine packet, seq 100", "38d75e873869d09f893a31e8145e47db", -659895338, 100,
     "88af3f89304575f77b40defe6cf009f5e3812157f91f1fe3fa93867424e7f3ac762642756073797f21fd1d15e4889ce5ebcb8a0bfc5d1f"
     "6f865ab4cf6d162c7f",
     "ecc1e0a45619a9555e9637f7f9546988740b44673297327f951722033b8ccb4b6998ebc2d1e2171995c1c62853c346169fde05c9bd8be5"
     "28df641210"},
};

// Encrypts `plain` (whole blocks, no padding added) with BearSSL's CBC encryptor, to build
// ciphertexts whose decryption ends in chosen bytes.
Bytes encrypt_raw(const Bytes &key, int32_t rikeyid, uint16_t sequence, Bytes plain) {
    br_aes_ct_cbcenc_keys enc;
    br_aes_ct_cbcenc_init(&enc, key.data(), key.size());
    const uint32_t word = static_cast<uint32_t>(rikeyid) + sequence;
    uint8_t iv[16] = {static_cast<uint8_t>(word >> 24), static_cast<uint8_t>(word >> 16), static_cast<uint8_t>(word >> 8),
                      static_cast<uint8_t>(word)};
    br_aes_ct_cbcenc_run(&enc, iv, plain.data(), plain.size());
    return plain;
}

}  // namespace

TEST(audio_decrypt_known_answers_match_openssl_and_sunshine) {
    for (const DecryptCase &c : kDecryptCases) {
        const Bytes key = hex(c.key_hex);
        const Bytes cipher = hex(c.cipher_hex);
        gsc::AudioDecryptor decryptor;
        decryptor.init(key.data(), c.rikeyid);
        Bytes out(cipher.size());
        size_t plain_size = 0;
        const gsc::AudioDecryptError result = decryptor.decrypt(c.sequence, cipher.data(), cipher.size(), out.data(), plain_size);
        if (result != gsc::AudioDecryptError::kNone) {
            ::gsc_test::report_failure(__FILE__, __LINE__, std::string("case '") + c.name + "' failed to decrypt");
            continue;
        }
        const std::string got = gsc_test::to_hex(out.data(), plain_size);
        if (got != gsc_test::to_hex(hex(c.plain_hex))) {
            ::gsc_test::report_failure(__FILE__, __LINE__, std::string("case '") + c.name + "': " + got);
        }
    }
}

TEST(audio_decrypt_works_in_place) {
    const DecryptCase &c = kDecryptCases[3];
    const Bytes key = hex(c.key_hex);
    Bytes buffer = hex(c.cipher_hex);
    gsc::AudioDecryptor decryptor;
    decryptor.init(key.data(), c.rikeyid);
    size_t plain_size = 0;
    REQUIRE(decryptor.decrypt(c.sequence, buffer.data(), buffer.size(), buffer.data(), plain_size) ==
            gsc::AudioDecryptError::kNone);
    CHECK(gsc_test::to_hex(buffer.data(), plain_size) == gsc_test::to_hex(hex(c.plain_hex)));
}

TEST(audio_decrypt_with_the_wrong_sequence_number_garbles_exactly_the_first_block) {
    // The IV depends on the sequence number; the Sunshine packet decrypted as seq 101 has a
    // wrong first block.
    const DecryptCase &c = kDecryptCases[3];
    const Bytes key = hex(c.key_hex);
    const Bytes cipher = hex(c.cipher_hex);
    gsc::AudioDecryptor decryptor;
    decryptor.init(key.data(), c.rikeyid);
    Bytes out(cipher.size());
    size_t plain_size = 0;
    // Only the first block depends on the IV in CBC; the padding lives in the last, so a
    // wrong IV is caught only by the Opus decoder. Check what it changes.
    REQUIRE(decryptor.decrypt(101, cipher.data(), cipher.size(), out.data(), plain_size) == gsc::AudioDecryptError::kNone);
    CHECK(gsc_test::to_hex(out.data(), 16) != gsc_test::to_hex(hex(c.plain_hex).data(), 16));
    CHECK(gsc_test::to_hex(out.data() + 16, plain_size - 16) == gsc_test::to_hex(hex(c.plain_hex).data() + 16, plain_size - 16));
}

TEST(audio_decrypt_refuses_lengths_that_are_not_whole_blocks) {
    const Bytes key = hex("000102030405060708090a0b0c0d0e0f");
    gsc::AudioDecryptor decryptor;
    decryptor.init(key.data(), 0);
    uint8_t buffer[48] = {};
    const size_t sizes[] = {0, 1, 15, 17, 31, 33, 47};
    for (size_t size : sizes) {
        size_t plain_size = 12345;
        CHECK(decryptor.decrypt(0, buffer, size, buffer, plain_size) == gsc::AudioDecryptError::kBadLength);
        CHECK_EQ(plain_size, size_t{12345});
    }
}

TEST(audio_decrypt_padding_table) {
    struct PaddingCase {
        const char *name;
        const char *last_block_hex;
        gsc::AudioDecryptError expected;
        size_t plain_size;
    };
    const PaddingCase cases[] = {
        {"pad byte 0", "00112233445566778899aabbccddee00", gsc::AudioDecryptError::kBadPadding, 0},
        {"pad byte 17", "00112233445566778899aabbccddee11", gsc::AudioDecryptError::kBadPadding, 0},
        {"pad byte 0xff", "00112233445566778899aabbccddeeff", gsc::AudioDecryptError::kBadPadding, 0},
        {"pad 3 with one wrong byte", "00112233445566778899aabbcc020303", gsc::AudioDecryptError::kBadPadding, 0},
        {"pad 16 with one wrong byte", "10101010101010101010101010100f10", gsc::AudioDecryptError::kBadPadding, 0},
        {"pad 1", "00112233445566778899aabbccddee01", gsc::AudioDecryptError::kNone, 31},
        {"pad 3", "00112233445566778899aabbcc030303", gsc::AudioDecryptError::kNone, 29},
        {"pad 16", "10101010101010101010101010101010", gsc::AudioDecryptError::kNone, 16},
    };
    const Bytes key = hex("2b7e151628aed2a6abf7158809cf4f3c");
    for (const PaddingCase &c : cases) {
        Bytes plain = hex("000102030405060708090a0b0c0d0e0f");
        const Bytes last = hex(c.last_block_hex);
        plain.insert(plain.end(), last.begin(), last.end());
        const Bytes cipher = encrypt_raw(key, -7, 3, plain);
        gsc::AudioDecryptor decryptor;
        decryptor.init(key.data(), -7);
        Bytes out(cipher.size());
        size_t plain_size = 0;
        const gsc::AudioDecryptError result = decryptor.decrypt(3, cipher.data(), cipher.size(), out.data(), plain_size);
        if (result != c.expected || (result == gsc::AudioDecryptError::kNone && plain_size != c.plain_size)) {
            ::gsc_test::report_failure(__FILE__, __LINE__, std::string("case '") + c.name + "'");
        }
    }
}
