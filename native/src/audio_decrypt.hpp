// Audio decryption (data-plane.md §3.4, control-plane.md §5.3): each data packet's RTP payload
// is AES-128-CBC ciphertext of one Opus packet with PKCS#7 padding, keyed with the launch's
// `rikey`. The IV is fresh per packet and never sent: bytes 0–3 are BE32(rikeyid + RTP
// sequence number), modulo 2^32, and bytes 4–15 are zero. CBC carries no authentication, so a
// corrupted packet shows up only as bad padding (caught here, about 255 times in 256) or as
// an Opus packet the decoder refuses.
#pragma once

#include <cstddef>
#include <cstdint>

#include <bearssl_block.h>

namespace gsc {

constexpr size_t kAudioKeyBytes = 16;
constexpr size_t kAesBlockBytes = 16;

enum class AudioDecryptError : uint8_t {
    kNone,
    kBadLength,   // empty, or not a whole number of AES blocks
    kBadPadding,  // the last block does not end in valid PKCS#7 padding
};

class AudioDecryptor {
public:
    // Expands the key once; `rikeyid` is the signed value sent in /launch.
    void init(const uint8_t key[kAudioKeyBytes], int32_t rikeyid);

    // Decrypts `size_bytes` of ciphertext from `in` into `out` (which may be `in` itself and
    // must hold size_bytes), then strips the padding: on kNone, `plain_size_bytes` is the Opus
    // packet's length. On an error `out` holds garbage.
    [[nodiscard]] AudioDecryptError decrypt(uint16_t sequence, const uint8_t *in, size_t size_bytes, uint8_t *out,
                                            size_t &plain_size_bytes) const;

private:
    // BearSSL's constant-time AES on 32-bit words: no key-dependent table lookups, and no
    // 64-bit arithmetic, which the engines of 32-bit ARM TVs split in two. Its 64-bit sibling
    // (ct64) costs fewer instructions on a 64-bit CPU: 9,047 against 14,232 per 64-byte
    // stereo packet for the whole receive path (callgrind, x86-64, 2026-11-21), a small
    // share next to Opus decoding (about 139,000 per packet).
    br_aes_ct_cbcdec_keys keys_{};
    uint32_t rikeyid_ = 0;
};

}  // namespace gsc
