// Contract in video_decrypt.hpp.
#include "video_decrypt.hpp"

#include <cstring>

#include <bearssl_hash.h>

namespace gsc {

void VideoDecryptor::init(const uint8_t key[kVideoKeyBytes]) {
#if defined(__wasm__)
    br_aes_ct_ctr_init(&keys_, key, kVideoKeyBytes);
    br_gcm_init(&gcm_, &keys_.vtable, br_ghash_ctmul);
#else
    br_aes_ct64_ctr_init(&keys_, key, kVideoKeyBytes);
    br_gcm_init(&gcm_, &keys_.vtable, br_ghash_ctmul64);
#endif
}

uint32_t VideoDecryptor::frame_hint(const uint8_t *datagram, size_t size_bytes) {
    if (datagram == nullptr || size_bytes < kVideoCryptoPrefixBytes) return 0;
    const uint8_t *p = datagram + kVideoFrameHintOffset;
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

VideoDecryptError VideoDecryptor::decrypt(const uint8_t *datagram, size_t size_bytes, uint8_t *out,
                                          size_t out_capacity, size_t &plain_size_bytes) {
    if (datagram == nullptr || size_bytes < kVideoEncryptedMinBytes) return VideoDecryptError::kTooShort;
    const size_t plain = size_bytes - kVideoCryptoPrefixBytes;
    if (out == nullptr || plain > out_capacity) return VideoDecryptError::kTooLong;
    // GCM runs in place; decrypting in the output keeps the caller's datagram intact.
    std::memcpy(out, datagram + kVideoCryptoPrefixBytes, plain);
    br_gcm_reset(&gcm_, datagram, kVideoNonceBytes);
    br_gcm_flip(&gcm_);
    br_gcm_run(&gcm_, 0, out, plain);
    if (br_gcm_check_tag(&gcm_, datagram + kVideoTagOffset) != 1) return VideoDecryptError::kAuthFailed;
    plain_size_bytes = plain;
    return VideoDecryptError::kNone;
}

}  // namespace gsc
