#include "audio_decrypt.hpp"

#include <cstring>

namespace gsc {

void AudioDecryptor::init(const uint8_t key[kAudioKeyBytes], int32_t rikeyid) {
    br_aes_ct_cbcdec_init(&keys_, key, kAudioKeyBytes);
    // The sum in the IV wraps modulo 2^32 (§3.4: real sessions use negative rikeyids).
    rikeyid_ = static_cast<uint32_t>(rikeyid);
}

AudioDecryptError AudioDecryptor::decrypt(uint16_t sequence, const uint8_t *in, size_t size_bytes, uint8_t *out,
                                          size_t &plain_size_bytes) const {
    if (size_bytes == 0 || size_bytes % kAesBlockBytes != 0) return AudioDecryptError::kBadLength;
    uint8_t iv[kAesBlockBytes] = {};
    const uint32_t iv_word = rikeyid_ + sequence;
    iv[0] = static_cast<uint8_t>(iv_word >> 24);
    iv[1] = static_cast<uint8_t>(iv_word >> 16);
    iv[2] = static_cast<uint8_t>(iv_word >> 8);
    iv[3] = static_cast<uint8_t>(iv_word);
    if (out != in) std::memcpy(out, in, size_bytes);
    br_aes_ct_cbcdec_run(&keys_, iv, out, size_bytes);

    // PKCS#7: the last byte n is 1..16 and the last n bytes all equal n. Even a full block of
    // padding is valid (an Opus packet whose size is a multiple of 16).
    const uint8_t pad = out[size_bytes - 1];
    if (pad == 0 || pad > kAesBlockBytes) return AudioDecryptError::kBadPadding;
    uint8_t mismatch = 0;
    for (size_t i = size_bytes - pad; i < size_bytes; ++i) mismatch |= static_cast<uint8_t>(out[i] ^ pad);
    if (mismatch != 0) return AudioDecryptError::kBadPadding;
    plain_size_bytes = size_bytes - pad;
    return AudioDecryptError::kNone;
}

}  // namespace gsc
