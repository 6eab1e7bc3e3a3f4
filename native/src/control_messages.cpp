#include "control_messages.hpp"

#include <cstring>

#include "byte_reader.hpp"

namespace gsc {

namespace {

// Payload sizes of host messages (§4.4.9 - §4.4.15).
constexpr size_t kRumbleBytes = 10;
constexpr size_t kRumbleIgnoredPrefixBytes = 4;  // Sunshine writes 0x00C0FFEE there
constexpr size_t kRumbleTriggersBytes = 6;
constexpr size_t kHdrFlagBytes = 1;
constexpr size_t kHdrWithMetadataBytes = 27;
constexpr size_t kTerminationShortBytes = 2;
constexpr size_t kTerminationExtendedBytes = 4;
// §4.4.4: LE16 4 then zeros.
constexpr uint8_t kPeriodicPingFirstByte = 4;

class Writer {
public:
    explicit Writer(uint8_t *at) : start_(at), at_(at) {}
    void le32(uint32_t v) {
        for (int i = 0; i < 4; ++i) *at_++ = static_cast<uint8_t>(v >> (8 * i));
    }
    void be16(uint16_t v) {
        *at_++ = static_cast<uint8_t>(v >> 8);
        *at_++ = static_cast<uint8_t>(v);
    }
    void be32(uint32_t v) {
        be16(static_cast<uint16_t>(v >> 16));
        be16(static_cast<uint16_t>(v));
    }
    void u8(uint8_t v) { *at_++ = v; }
    void zeros(size_t n) {
        std::memset(at_, 0, n);
        at_ += n;
    }
    size_t size() const { return static_cast<size_t>(at_ - start_); }

private:
    uint8_t *start_;
    uint8_t *at_;
};

ControlDecodeResult decode_termination(uint16_t type, ByteReader &r, ControlEvent &out) {
    out.kind = ControlEvent::Kind::kTerminated;
    out.termination.cause = ControlTerminationCause::kHostTerminated;
    // MCC reads any payload of 4 bytes or more as the extended code, whichever type carried it.
    if (r.remaining() >= kTerminationExtendedBytes) {
        out.termination.extended_code = true;
        return r.u32_be(out.termination.host_code) ? ControlDecodeResult::kEvent : ControlDecodeResult::kMalformed;
    }
    uint16_t reason = 0;
    if (type != kControlTypeTerminationShort || r.remaining() < kTerminationShortBytes || !r.u16_le(reason)) {
        return ControlDecodeResult::kMalformed;
    }
    out.termination.host_code = reason;
    return ControlDecodeResult::kEvent;
}

ControlDecodeResult decode_hdr(ByteReader &r, ControlEvent &out) {
    uint8_t enabled = 0;
    if (r.remaining() < kHdrFlagBytes || !r.u8(enabled)) return ControlDecodeResult::kMalformed;
    out.kind = ControlEvent::Kind::kHdrMode;
    out.hdr.enabled = enabled != 0;
    if (r.remaining() < kHdrWithMetadataBytes - kHdrFlagBytes) return ControlDecodeResult::kEvent;
    ControlHdrMetadata &m = out.hdr.metadata;
    bool ok = true;
    for (int i = 0; i < 3; ++i) ok = ok && r.u16_le(m.primaries_x[i]) && r.u16_le(m.primaries_y[i]);
    ok = ok && r.u16_le(m.white_point_x) && r.u16_le(m.white_point_y) && r.u16_le(m.max_display_luminance_nits) &&
         r.u16_le(m.min_display_luminance_10000ths_nit) && r.u16_le(m.max_content_light_level_nits) &&
         r.u16_le(m.max_frame_average_light_level_nits) && r.u16_le(m.max_full_frame_luminance_nits);
    out.hdr.has_metadata = ok;
    return ok ? ControlDecodeResult::kEvent : ControlDecodeResult::kMalformed;
}

}  // namespace

size_t control_encode_idr_request(uint8_t out[kControlIdrRequestBytes]) {
    std::memset(out, 0, kControlIdrRequestBytes);
    return kControlIdrRequestBytes;
}

size_t control_encode_start_b(uint8_t out[kControlStartBBytes]) {
    out[0] = 0;
    return kControlStartBBytes;
}

size_t control_encode_rfi(uint32_t first_frame, uint32_t last_frame, uint8_t out[kControlRfiBytes]) {
    // Two LE64 frame numbers and 8 zero bytes (§4.4.3).
    Writer w(out);
    w.le32(first_frame);
    w.zeros(4);
    w.le32(last_frame);
    w.zeros(12);
    return w.size();
}

size_t control_encode_periodic_ping(uint8_t out[kControlPeriodicPingBytes]) {
    std::memset(out, 0, kControlPeriodicPingBytes);
    out[0] = kPeriodicPingFirstByte;
    return kControlPeriodicPingBytes;
}

size_t control_encode_fec_status(const ControlFecStatus &s, uint8_t out[kControlFecStatusBytes]) {
    Writer w(out);
    w.be32(s.frame_index);
    w.be16(s.highest_received_seq);
    w.be16(s.next_contiguous_seq);
    w.be16(s.missing_below_highest);
    w.be16(s.data_shards);
    w.be16(s.parity_shards);
    w.be16(s.data_received);
    w.be16(s.parity_received);
    w.u8(s.fec_percentage);
    w.u8(s.block_index);
    w.u8(s.block_count);
    return w.size();
}

ControlDecodeResult control_decode_host_message(uint16_t type, const uint8_t *payload, size_t payload_bytes,
                                                ControlEvent &out) {
    out = ControlEvent{};
    ByteReader r(payload, payload == nullptr ? 0 : payload_bytes);
    switch (type) {
        case kControlTypeTermination:
        case kControlTypeTerminationShort:
            return decode_termination(type, r, out);
        case kControlTypeRumble:
            if (r.remaining() < kRumbleBytes || !r.skip(kRumbleIgnoredPrefixBytes)) return ControlDecodeResult::kMalformed;
            out.kind = ControlEvent::Kind::kRumble;
            return r.u16_le(out.rumble.controller) && r.u16_le(out.rumble.low_frequency) &&
                           r.u16_le(out.rumble.high_frequency)
                       ? ControlDecodeResult::kEvent
                       : ControlDecodeResult::kMalformed;
        case kControlTypeRumbleTriggers:
            if (r.remaining() < kRumbleTriggersBytes) return ControlDecodeResult::kMalformed;
            out.kind = ControlEvent::Kind::kRumbleTriggers;
            return r.u16_le(out.rumble_triggers.controller) && r.u16_le(out.rumble_triggers.left) &&
                           r.u16_le(out.rumble_triggers.right)
                       ? ControlDecodeResult::kEvent
                       : ControlDecodeResult::kMalformed;
        case kControlTypeHdrMode:
            return decode_hdr(r, out);
        case kControlTypeSetMotionEvent:
        case kControlTypeSetRgbLed:
        case kControlTypeAdaptiveTriggers:
            return ControlDecodeResult::kIgnored;
        default:
            return ControlDecodeResult::kUnknown;
    }
}

}  // namespace gsc
