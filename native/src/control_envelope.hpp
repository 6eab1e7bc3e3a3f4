// The encrypted framing of the control stream (data-plane.md §4.2, §4.3): every ENet packet
// in both directions is an envelope holding one AES-128-GCM-sealed "V2" message.
//
//   envelope:   0x0001 LE16 | L LE16 | sequence LE32 | tag (16) | ciphertext (L - 20)
//   plaintext:  type LE16 | payload length LE16 | payload
//   nonce:      sequence LE32 | 6 zero bytes | 'C' (client to host) or 'H' (host to client) | 'C'
//
// L = 4 + 16 + 4 + payload length, so the packet is L + 4 bytes. The key is the launch's
// rikey, with no additional authenticated data. Each direction numbers its messages from 0.
#ifndef GSC_CONTROL_ENVELOPE_HPP
#define GSC_CONTROL_ENVELOPE_HPP

#include <cstddef>
#include <cstdint>

namespace gsc {

constexpr uint16_t kControlEnvelopeMarker = 0x0001;
constexpr size_t kControlKeyBytes = 16;
constexpr size_t kControlNonceBytes = 12;
constexpr size_t kControlTagBytes = 16;
// marker + L + sequence + tag
constexpr size_t kControlEnvelopeHeaderBytes = 2 + 2 + 4 + kControlTagBytes;
// type + payload length
constexpr size_t kControlMessageHeaderBytes = 4;
// Largest payload sent or accepted. The largest message either side defines is under 64
// bytes (HDR mode 27, adaptive triggers 25, input packets at most 36 plus their 4-byte
// header, §4.4, §5.3); 1 KiB leaves room for new messages and is still one ENet packet.
constexpr size_t kControlMaxPayloadBytes = 1024;
constexpr size_t kControlMaxEnvelopeBytes = kControlEnvelopeHeaderBytes + kControlMessageHeaderBytes + kControlMaxPayloadBytes;

enum class ControlDirection : uint8_t { kClientToHost, kHostToClient };

// The 12-byte GCM nonce of message `sequence` in `direction` (§4.3, "control v2").
void control_nonce(uint32_t sequence, ControlDirection direction, uint8_t out[kControlNonceBytes]);

// Seals one message into `out` (at least kControlEnvelopeHeaderBytes + 4 + payload bytes).
// Returns the envelope's size, or 0 when the payload is over kControlMaxPayloadBytes, `out`
// is too small, or the cipher refuses.
size_t control_seal(const uint8_t key[kControlKeyBytes], uint32_t sequence, ControlDirection direction, uint16_t type,
                    const uint8_t *payload, size_t payload_bytes, uint8_t *out, size_t capacity_bytes);

enum class ControlOpenResult : uint8_t {
    kOk,
    kNotEnvelope,  // does not start with the envelope marker (an unencrypted message)
    kMalformed,    // lengths inconsistent, too short, or a nested envelope
    kTooLarge,     // payload over kControlMaxPayloadBytes
    kAuthFailed,   // the tag does not verify
};

struct ControlMessage {
    uint32_t sequence;
    uint16_t type;
    const uint8_t *payload;  // points into the caller's scratch buffer
    uint16_t payload_bytes;
};

// Checks and decrypts one envelope. `scratch` receives the plaintext and must hold
// kControlMessageHeaderBytes + kControlMaxPayloadBytes bytes. Nothing of a message that fails
// is returned.
ControlOpenResult control_open(const uint8_t key[kControlKeyBytes], ControlDirection direction, const uint8_t *packet,
                               size_t packet_bytes, uint8_t *scratch, size_t scratch_bytes, ControlMessage &out);

}  // namespace gsc

#endif
