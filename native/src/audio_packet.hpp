// The audio stream's datagrams (data-plane.md §3.1, §3.3): one RTP header, then either one
// Opus packet (payload type 97, possibly AES-CBC ciphertext) or one Reed-Solomon parity shard
// behind a 12-byte FEC header (payload type 127). Parsing borrows the datagram: it copies
// nothing and checks every length before reading it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gsc {

// RTP version 2 with no padding, extension or CSRC: the fixed 12 bytes Sunshine sends (§3.1).
constexpr size_t kAudioRtpHeaderBytes = 12;
// Shard index, protected payload type, base sequence, base timestamp, SSRC (§3.3).
constexpr size_t kAudioFecHeaderBytes = 12;
constexpr uint8_t kAudioPayloadTypeData = 97;
constexpr uint8_t kAudioPayloadTypeFec = 127;

enum class AudioPacketKind : uint8_t { kData, kFec };

struct AudioPacket {
    AudioPacketKind kind;
    // RTP sequence number. For a FEC packet Sunshine fills it with the numbers of the next
    // block's data packets (§3.3), so it means nothing there.
    uint16_t sequence;
    // RTP timestamp, in milliseconds (§3.1; 0 in FEC packets).
    uint32_t timestamp_ms;
    // Data: the Opus packet (or its ciphertext). FEC: the parity shard. Never empty.
    const uint8_t *payload;
    size_t payload_size_bytes;
    // FEC only: which parity row (0 or 1), and the block it protects. The base sequence is
    // reported as sent; whether it is block-aligned is the receiver's business.
    uint8_t fec_shard_index;
    uint16_t fec_base_sequence;
    uint32_t fec_base_timestamp_ms;
};

enum class AudioParseError : uint8_t {
    kNone,
    kTooShort,            // shorter than the headers plus one payload byte
    kBadRtpHeader,        // not RTP v2, or padding / extension / CSRC present
    kUnknownPayloadType,  // neither 97 nor 127
    kBadFecHeader,        // shard index beyond the two parity rows, or protecting another type
};

// Parses one datagram; `out` is filled only when the result is kNone, and its payload points
// into `datagram`.
[[nodiscard]] AudioParseError parse_audio_packet(const uint8_t *datagram, size_t size_bytes, AudioPacket &out);

}  // namespace gsc
