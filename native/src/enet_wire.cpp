#include "enet_wire.hpp"

#include <cstring>

namespace gsc {

namespace {

// Fixed part of each command, header included, indexed by command number (§4.6).
constexpr size_t kFixedBytes[] = {
    0,   // 0: not a command
    8,   // ACKNOWLEDGE: received reliable seq u16, received sent time u16
    48,  // CONNECT
    44,  // VERIFY_CONNECT
    8,   // DISCONNECT: data u32
    4,   // PING
    6,   // SEND_RELIABLE: data length u16
    8,   // SEND_UNRELIABLE: unreliable seq u16, data length u16
    24,  // SEND_FRAGMENT
    8,   // SEND_UNSEQUENCED: unsequenced group u16, data length u16
    12,  // BANDWIDTH_LIMIT
    16,  // THROTTLE_CONFIGURE
    24,  // SEND_UNRELIABLE_FRAGMENT
};
constexpr uint8_t kLastCommandNumber = 12;

// Big-endian output cursor over a region already checked to be large enough.
class Out {
public:
    explicit Out(uint8_t *at) : at_(at) {}
    void u8(uint8_t v) { *at_++ = v; }
    void u16(uint16_t v) {
        u8(static_cast<uint8_t>(v >> 8));
        u8(static_cast<uint8_t>(v));
    }
    void u32(uint32_t v) {
        u16(static_cast<uint16_t>(v >> 16));
        u16(static_cast<uint16_t>(v));
    }
    void bytes(const uint8_t *p, size_t n) {
        if (n != 0) std::memcpy(at_, p, n);
        at_ += n;
    }

private:
    uint8_t *at_;
};

// CONNECT and VERIFY_CONNECT share their first 40 body bytes (VERIFY stops after connect id).
bool read_connect_common(ByteReader &r, EnetCommand &c) {
    return r.u16_be(c.outgoing_peer_id) && r.u8(c.incoming_session_id) && r.u8(c.outgoing_session_id) &&
           r.u32_be(c.mtu) && r.u32_be(c.window_size) && r.u32_be(c.channel_count) &&
           r.u32_be(c.incoming_bandwidth) && r.u32_be(c.outgoing_bandwidth) && r.u32_be(c.throttle_interval) &&
           r.u32_be(c.throttle_acceleration) && r.u32_be(c.throttle_deceleration) && r.u32_be(c.connect_id);
}

void write_connect_common(Out &o, const EnetCommand &c) {
    o.u16(c.outgoing_peer_id);
    o.u8(c.incoming_session_id);
    o.u8(c.outgoing_session_id);
    o.u32(c.mtu);
    o.u32(c.window_size);
    o.u32(c.channel_count);
    o.u32(c.incoming_bandwidth);
    o.u32(c.outgoing_bandwidth);
    o.u32(c.throttle_interval);
    o.u32(c.throttle_acceleration);
    o.u32(c.throttle_deceleration);
    o.u32(c.connect_id);
}

bool read_fragment(ByteReader &r, EnetCommand &c) {
    return r.u16_be(c.start_seq) && r.u16_be(c.data_size) && r.u32_be(c.fragment_count) &&
           r.u32_be(c.fragment_number) && r.u32_be(c.total_length) && r.u32_be(c.fragment_offset);
}

}  // namespace

size_t enet_command_fixed_bytes(uint8_t command_number) {
    return command_number <= kLastCommandNumber ? kFixedBytes[command_number] : 0;
}

bool EnetDatagramParser::header(EnetDatagramHeader &out) {
    uint16_t field = 0;
    if (!reader_.u16_be(field)) return false;
    out.peer_id = static_cast<uint16_t>(field & kEnetPeerIdMask);
    out.session_id = static_cast<uint8_t>((field & kEnetHeaderSessionMask) >> kEnetHeaderSessionShift);
    out.compressed = (field & kEnetHeaderFlagCompressed) != 0;
    out.has_sent_time = (field & kEnetHeaderFlagSentTime) != 0;
    out.sent_time = 0;
    return !out.has_sent_time || reader_.u16_be(out.sent_time);
}

EnetDatagramParser::Result EnetDatagramParser::next(EnetCommand &out) {
    if (reader_.remaining() == 0) return Result::kEnd;
    if (commands_ == kEnetMaxCommandsPerDatagram) return Result::kMalformed;
    ++commands_;
    out = EnetCommand{};
    uint8_t command = 0;
    if (!reader_.u8(command) || !reader_.u8(out.channel) || !reader_.u16_be(out.reliable_seq)) {
        return Result::kMalformed;
    }
    const uint8_t number = command & kEnetCommandNumberMask;
    if (number == 0 || number > kLastCommandNumber) return Result::kMalformed;
    out.type = static_cast<EnetCommandType>(number);
    out.flags = static_cast<uint8_t>(command & (kEnetFlagAcknowledge | kEnetFlagUnsequenced));
    return body(out) ? Result::kCommand : Result::kMalformed;
}

bool EnetDatagramParser::body(EnetCommand &c) {
    ByteReader &r = reader_;
    bool ok = false;
    switch (c.type) {
        case EnetCommandType::kAcknowledge:
            return r.u16_be(c.received_reliable_seq) && r.u16_be(c.received_sent_time);
        case EnetCommandType::kConnect:
            return read_connect_common(r, c) && r.u32_be(c.user_data);
        case EnetCommandType::kVerifyConnect:
            return read_connect_common(r, c);
        case EnetCommandType::kDisconnect:
            return r.u32_be(c.user_data);
        case EnetCommandType::kPing:
            return true;
        case EnetCommandType::kBandwidthLimit:
            return r.u32_be(c.incoming_bandwidth) && r.u32_be(c.outgoing_bandwidth);
        case EnetCommandType::kThrottleConfigure:
            return r.u32_be(c.throttle_interval) && r.u32_be(c.throttle_acceleration) &&
                   r.u32_be(c.throttle_deceleration);
        case EnetCommandType::kSendReliable:
            ok = r.u16_be(c.data_size);
            break;
        case EnetCommandType::kSendUnreliable:
        case EnetCommandType::kSendUnsequenced:
            ok = r.u16_be(c.unreliable_seq) && r.u16_be(c.data_size);
            break;
        case EnetCommandType::kSendFragment:
        case EnetCommandType::kSendUnreliableFragment:
            ok = read_fragment(r, c);
            break;
    }
    // Only the SEND_* commands reach this point; their data follows the fixed part.
    return ok && r.bytes(c.data, c.data_size);
}

bool EnetDatagramWriter::header(uint16_t peer_id, uint8_t session_id, bool sent_time_present, uint16_t sent_time) {
    const size_t need = sent_time_present ? 4 : 2;
    if (size_ != 0 || capacity_ < need) return false;
    uint16_t field = static_cast<uint16_t>((peer_id & kEnetPeerIdMask) |
                                           ((session_id & kEnetSessionIdMask) << kEnetHeaderSessionShift));
    if (sent_time_present) field = static_cast<uint16_t>(field | kEnetHeaderFlagSentTime);
    Out o(buffer_);
    o.u16(field);
    if (sent_time_present) o.u16(sent_time);
    size_ = need;
    return true;
}

bool EnetDatagramWriter::raw(const uint8_t *bytes, size_t size_bytes) {
    if (size_bytes > room()) return false;
    Out(buffer_ + size_).bytes(bytes, size_bytes);
    size_ += size_bytes;
    return true;
}

bool EnetDatagramWriter::acknowledge(uint8_t channel, uint16_t reliable_seq, uint16_t received_sent_time) {
    EnetCommand ack{};
    ack.type = EnetCommandType::kAcknowledge;
    ack.channel = channel;
    ack.reliable_seq = reliable_seq;
    ack.received_reliable_seq = reliable_seq;
    ack.received_sent_time = received_sent_time;
    const size_t written = enet_encode_command(ack, buffer_ + size_, room());
    size_ += written;
    return written != 0;
}

size_t enet_encode_command(const EnetCommand &c, uint8_t *out, size_t capacity_bytes) {
    const uint8_t number = static_cast<uint8_t>(c.type);
    const size_t fixed = enet_command_fixed_bytes(number);
    if (fixed == 0) return 0;
    const bool has_data = c.type == EnetCommandType::kSendReliable || c.type == EnetCommandType::kSendUnreliable ||
                          c.type == EnetCommandType::kSendUnsequenced || c.type == EnetCommandType::kSendFragment ||
                          c.type == EnetCommandType::kSendUnreliableFragment;
    const size_t data_size = has_data ? c.data_size : 0;
    if (fixed + data_size > capacity_bytes || (data_size != 0 && c.data == nullptr)) return 0;
    Out o(out);
    o.u8(static_cast<uint8_t>(number | (c.flags & (kEnetFlagAcknowledge | kEnetFlagUnsequenced))));
    o.u8(c.channel);
    o.u16(c.reliable_seq);
    switch (c.type) {
        case EnetCommandType::kAcknowledge:
            o.u16(c.received_reliable_seq);
            o.u16(c.received_sent_time);
            break;
        case EnetCommandType::kConnect:
            write_connect_common(o, c);
            o.u32(c.user_data);
            break;
        case EnetCommandType::kVerifyConnect:
            write_connect_common(o, c);
            break;
        case EnetCommandType::kDisconnect:
            o.u32(c.user_data);
            break;
        case EnetCommandType::kPing:
            break;
        case EnetCommandType::kBandwidthLimit:
            o.u32(c.incoming_bandwidth);
            o.u32(c.outgoing_bandwidth);
            break;
        case EnetCommandType::kThrottleConfigure:
            o.u32(c.throttle_interval);
            o.u32(c.throttle_acceleration);
            o.u32(c.throttle_deceleration);
            break;
        case EnetCommandType::kSendReliable:
            o.u16(c.data_size);
            break;
        case EnetCommandType::kSendUnreliable:
        case EnetCommandType::kSendUnsequenced:
            o.u16(c.unreliable_seq);
            o.u16(c.data_size);
            break;
        case EnetCommandType::kSendFragment:
        case EnetCommandType::kSendUnreliableFragment:
            o.u16(c.start_seq);
            o.u16(c.data_size);
            o.u32(c.fragment_count);
            o.u32(c.fragment_number);
            o.u32(c.total_length);
            o.u32(c.fragment_offset);
            break;
    }
    o.bytes(c.data, data_size);
    return fixed + data_size;
}

}  // namespace gsc
