// Encrypted video (shared/protocol/data-plane.md §2.9): when the launch enabled it
// (x-ss-general.encryptionEnabled bit 0x02), every video datagram is a 32-byte prefix, then
// the AES-128-GCM ciphertext of one complete unencrypted video packet (§2.1):
//
//   bytes 0-11   GCM nonce, used as sent (Sunshine: LE64 packet counter, 00 00 00, 'V')
//   bytes 12-15  frame number, LE32: a hint, NOT covered by the tag
//   bytes 16-31  GCM tag
//   bytes 32-    ciphertext, as long as the plaintext packet
//
// Key = the launch's rikey, no additional data. Encryption comes after FEC, one datagram at
// a time, so each datagram is decrypted first and the plaintext goes to the FEC queue. Nothing
// of a datagram is trusted before its tag checks: one that fails is dropped, which FEC repairs
// like any other loss. The key schedule is expanded once, at init; a datagram costs one GCM
// pass and no allocation.
#ifndef GSC_VIDEO_DECRYPT_HPP
#define GSC_VIDEO_DECRYPT_HPP

#include <cstddef>
#include <cstdint>

#include <bearssl_aead.h>
#include <bearssl_block.h>

namespace gsc {

constexpr size_t kVideoKeyBytes = 16;
constexpr size_t kVideoNonceBytes = 12;
constexpr size_t kVideoFrameHintOffset = 12;
constexpr size_t kVideoTagOffset = 16;
constexpr size_t kVideoTagBytes = 16;
constexpr size_t kVideoCryptoPrefixBytes = 32;
// The reference client refuses anything shorter than the prefix and a 12-byte RTP header (§2.9).
constexpr size_t kVideoEncryptedMinBytes = kVideoCryptoPrefixBytes + 12;

enum class VideoDecryptError : uint8_t {
    kNone,
    kTooShort,    // shorter than kVideoEncryptedMinBytes
    kTooLong,     // the plaintext would not fit the output
    kAuthFailed,  // the tag does not match: altered, truncated, or not from this session's key
};

class VideoDecryptor {
public:
    VideoDecryptor() = default;
    // The GCM context points at the key schedule inside this object: it may not be copied.
    VideoDecryptor(const VideoDecryptor &) = delete;
    VideoDecryptor &operator=(const VideoDecryptor &) = delete;

    void init(const uint8_t key[kVideoKeyBytes]);

    // The unauthenticated frame-number hint of a datagram, 0 when it is too short to have one.
    static uint32_t frame_hint(const uint8_t *datagram, size_t size_bytes);

    // Checks and decrypts `datagram` into `out` (out_capacity bytes, not overlapping the
    // datagram). On kNone, plain_size_bytes is the plaintext packet's size; on any error `out`
    // holds no usable bytes and must be ignored.
    [[nodiscard]] VideoDecryptError decrypt(const uint8_t *datagram, size_t size_bytes, uint8_t *out,
                                            size_t out_capacity, size_t &plain_size_bytes);

private:
#if defined(__wasm__)
    // BearSSL's constant-time AES on 32-bit words, and GHASH on 32x32->64 multiplies: the
    // TVs' engines run WebAssembly on 32-bit ARM cores too, where 64-bit arithmetic is split.
    br_aes_ct_ctr_keys keys_{};
#else
    // The 64-bit constant-time siblings: fewer instructions on a 64-bit CPU.
    br_aes_ct64_ctr_keys keys_{};
#endif
    br_gcm_context gcm_{};
};

}  // namespace gsc

#endif
