#include "audio_packet.hpp"

#include "audio_fec.hpp"
#include "byte_reader.hpp"

namespace gsc {

namespace {

constexpr uint8_t kRtpVersionShift = 6;
constexpr uint8_t kRtpVersion2 = 2;
// Padding (0x20), extension (0x10) and CSRC count (0x0f): Sunshine sets none of them (§3.1),
// and accepting them would mean trusting lengths nothing else in the stream confirms.
constexpr uint8_t kRtpOptionalBitsMask = 0x3f;
// The marker bit shares byte 1 with the payload type; it carries no meaning for audio.
constexpr uint8_t kRtpPayloadTypeMask = 0x7f;

AudioParseError parse_fec_header(ByteReader &reader, AudioPacket &out) {
    uint8_t shard_index = 0;
    uint8_t protected_type = 0;
    uint16_t base_sequence = 0;
    uint32_t base_timestamp = 0;
    uint32_t ssrc = 0;
    if (!reader.u8(shard_index) || !reader.u8(protected_type) || !reader.u16_be(base_sequence) ||
        !reader.u32_be(base_timestamp) || !reader.u32_be(ssrc)) {
        return AudioParseError::kTooShort;
    }
    if (shard_index >= kAudioFecParityShards || (protected_type & kRtpPayloadTypeMask) != kAudioPayloadTypeData) {
        return AudioParseError::kBadFecHeader;
    }
    out.fec_shard_index = shard_index;
    out.fec_base_sequence = base_sequence;
    out.fec_base_timestamp_ms = base_timestamp;
    return AudioParseError::kNone;
}

}  // namespace

AudioParseError parse_audio_packet(const uint8_t *datagram, size_t size_bytes, AudioPacket &out) {
    ByteReader reader(datagram, size_bytes);
    uint8_t flags = 0;
    uint8_t type_byte = 0;
    uint16_t sequence = 0;
    uint32_t timestamp = 0;
    uint32_t ssrc = 0;
    if (!reader.u8(flags) || !reader.u8(type_byte) || !reader.u16_be(sequence) || !reader.u32_be(timestamp) ||
        !reader.u32_be(ssrc)) {
        return AudioParseError::kTooShort;
    }
    if ((flags >> kRtpVersionShift) != kRtpVersion2 || (flags & kRtpOptionalBitsMask) != 0) {
        return AudioParseError::kBadRtpHeader;
    }
    AudioPacket packet{};
    packet.sequence = sequence;
    packet.timestamp_ms = timestamp;
    const uint8_t payload_type = type_byte & kRtpPayloadTypeMask;
    if (payload_type == kAudioPayloadTypeData) {
        packet.kind = AudioPacketKind::kData;
    } else if (payload_type == kAudioPayloadTypeFec) {
        packet.kind = AudioPacketKind::kFec;
        const AudioParseError error = parse_fec_header(reader, packet);
        if (error != AudioParseError::kNone) return error;
    } else {
        return AudioParseError::kUnknownPayloadType;
    }
    if (reader.remaining() == 0) return AudioParseError::kTooShort;
    packet.payload = reader.cursor();
    packet.payload_size_bytes = reader.remaining();
    out = packet;
    return AudioParseError::kNone;
}

}  // namespace gsc
