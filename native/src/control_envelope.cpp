#include "control_envelope.hpp"

#include <cstring>

#include "byte_reader.hpp"
#include "gsc_crypto_gcm.h"

namespace gsc {

namespace {

// Bytes 10 and 11 of the nonce: who sent it, and 'C' for the control stream (§4.3).
constexpr uint8_t kOriginClient = 'C';
constexpr uint8_t kOriginHost = 'H';
constexpr uint8_t kStreamControl = 'C';
// L counts the sequence, the tag and the V2 header besides the payload.
constexpr size_t kLengthOverheadBytes = 4 + kControlTagBytes + kControlMessageHeaderBytes;

void put_le16(uint8_t *at, uint16_t v) {
    at[0] = static_cast<uint8_t>(v);
    at[1] = static_cast<uint8_t>(v >> 8);
}

void put_le32(uint8_t *at, uint32_t v) {
    put_le16(at, static_cast<uint16_t>(v));
    put_le16(at + 2, static_cast<uint16_t>(v >> 16));
}

}  // namespace

void control_nonce(uint32_t sequence, ControlDirection direction, uint8_t out[kControlNonceBytes]) {
    std::memset(out, 0, kControlNonceBytes);
    put_le32(out, sequence);
    out[10] = direction == ControlDirection::kClientToHost ? kOriginClient : kOriginHost;
    out[11] = kStreamControl;
}

size_t control_seal(const uint8_t key[kControlKeyBytes], uint32_t sequence, ControlDirection direction, uint16_t type,
                    const uint8_t *payload, size_t payload_bytes, uint8_t *out, size_t capacity_bytes) {
    const size_t plain_bytes = kControlMessageHeaderBytes + payload_bytes;
    const size_t total = kControlEnvelopeHeaderBytes + plain_bytes;
    if (payload_bytes > kControlMaxPayloadBytes || total > capacity_bytes || (payload == nullptr && payload_bytes != 0)) {
        return 0;
    }
    uint8_t *plain = out + kControlEnvelopeHeaderBytes;
    put_le16(plain, type);
    put_le16(plain + 2, static_cast<uint16_t>(payload_bytes));
    if (payload_bytes != 0) std::memcpy(plain + kControlMessageHeaderBytes, payload, payload_bytes);
    uint8_t nonce[kControlNonceBytes];
    control_nonce(sequence, direction, nonce);
    uint8_t *tag = out + 8;
    if (gsc_aes128_gcm_encrypt(key, nonce, kControlNonceBytes, nullptr, 0, plain, static_cast<uint32_t>(plain_bytes),
                               plain, tag) != GSC_OK) {
        return 0;
    }
    put_le16(out, kControlEnvelopeMarker);
    put_le16(out + 2, static_cast<uint16_t>(kLengthOverheadBytes + payload_bytes));
    put_le32(out + 4, sequence);
    return total;
}

ControlOpenResult control_open(const uint8_t key[kControlKeyBytes], ControlDirection direction, const uint8_t *packet,
                               size_t packet_bytes, uint8_t *scratch, size_t scratch_bytes, ControlMessage &out) {
    out = ControlMessage{};
    ByteReader reader(packet, packet == nullptr ? 0 : packet_bytes);
    uint16_t marker = 0;
    uint16_t length = 0;
    if (!reader.u16_le(marker)) return ControlOpenResult::kMalformed;
    if (marker != kControlEnvelopeMarker) return ControlOpenResult::kNotEnvelope;
    uint32_t sequence = 0;
    const uint8_t *tag = nullptr;
    if (!reader.u16_le(length) || !reader.u32_le(sequence) || !reader.bytes(tag, kControlTagBytes)) {
        return ControlOpenResult::kMalformed;
    }
    // §4.3: L >= 24, and the packet is exactly L + 4 bytes.
    if (length < kLengthOverheadBytes || reader.remaining() != length - 4u - kControlTagBytes) {
        return ControlOpenResult::kMalformed;
    }
    const size_t cipher_bytes = reader.remaining();
    if (cipher_bytes - kControlMessageHeaderBytes > kControlMaxPayloadBytes || cipher_bytes > scratch_bytes) {
        return ControlOpenResult::kTooLarge;
    }
    uint8_t nonce[kControlNonceBytes];
    control_nonce(sequence, direction, nonce);
    if (gsc_aes128_gcm_decrypt(key, nonce, kControlNonceBytes, nullptr, 0, reader.cursor(),
                               static_cast<uint32_t>(cipher_bytes), tag, scratch) != GSC_OK) {
        return ControlOpenResult::kAuthFailed;
    }
    ByteReader plain(scratch, cipher_bytes);
    uint16_t type = 0;
    uint16_t payload_bytes = 0;
    if (!plain.u16_le(type) || !plain.u16_le(payload_bytes) || payload_bytes != plain.remaining() ||
        type == kControlEnvelopeMarker) {
        return ControlOpenResult::kMalformed;  // Sunshine also refuses an envelope inside an envelope
    }
    out.sequence = sequence;
    out.type = type;
    out.payload = plain.cursor();
    out.payload_bytes = payload_bytes;
    return ControlOpenResult::kOk;
}

}  // namespace gsc
