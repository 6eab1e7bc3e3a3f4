// ENet's datagram format (shared/protocol/data-plane.md §4.6): the protocol header, the
// twelve commands and their fixed layouts, read by a bounds-checked parser and written by a
// writer that never passes its buffer's end. Both directions use the same layouts, so the
// parser reads the client's datagrams in captures as well as the host's. Every multi-byte
// field is big-endian.
//
// Datagram:  peer id u16 [sent time u16, when bit 15 of the peer id is set] command...
// Command:   command u8 (low 4 bits the number, 0x80 acknowledge, 0x40 unsequenced),
//            channel u8, reliable sequence number u16, then the body of the command number,
//            then the packet data for the SEND_* commands.
//
// Nothing here keeps state between datagrams: sequencing, sessions and timing are the
// client's business (enet_client.hpp).
#ifndef GSC_ENET_WIRE_HPP
#define GSC_ENET_WIRE_HPP

#include <cstddef>
#include <cstdint>

#include "byte_reader.hpp"

namespace gsc {

// Command numbers (§4.6).
enum class EnetCommandType : uint8_t {
    kAcknowledge = 1,
    kConnect = 2,
    kVerifyConnect = 3,
    kDisconnect = 4,
    kPing = 5,
    kSendReliable = 6,
    kSendUnreliable = 7,
    kSendFragment = 8,
    kSendUnsequenced = 9,
    kBandwidthLimit = 10,
    kThrottleConfigure = 11,
    kSendUnreliableFragment = 12,
};

// Flags in the command byte (§4.6).
constexpr uint8_t kEnetCommandNumberMask = 0x0f;
constexpr uint8_t kEnetFlagAcknowledge = 0x80;
constexpr uint8_t kEnetFlagUnsequenced = 0x40;

// Peer id field of the datagram header (§4.6): 12-bit peer id, 2-bit session id, compression
// and sent-time flags.
constexpr uint16_t kEnetPeerIdMask = 0x0fff;
constexpr uint16_t kEnetPeerIdNone = 0x0fff;
constexpr uint16_t kEnetHeaderSessionMask = 0x3000;
constexpr uint16_t kEnetHeaderSessionShift = 12;
constexpr uint16_t kEnetHeaderFlagCompressed = 0x4000;
constexpr uint16_t kEnetHeaderFlagSentTime = 0x8000;
constexpr uint8_t kEnetSessionIdMask = 0x03;

// Peer id u16 + sent time u16: the largest datagram header, which senders budget for.
constexpr size_t kEnetMaxHeaderBytes = 4;
constexpr size_t kEnetCommandHeaderBytes = 4;
// Channel id used by the connection-level commands (CONNECT, PING, DISCONNECT, ...).
constexpr uint8_t kEnetControlChannel = 0xff;

// ENet's protocol limits (§4.6: "up to 32 commands"; MTU and channel count ranges are ENet's
// own bounds, which both the moonlight fork and upstream 1.3.17 enforce on CONNECT).
constexpr uint32_t kEnetMaxCommandsPerDatagram = 32;
constexpr uint32_t kEnetMinMtu = 576;
constexpr uint32_t kEnetMaxMtu = 4096;
constexpr uint32_t kEnetMinChannels = 1;
constexpr uint32_t kEnetMaxChannels = 255;
constexpr uint32_t kEnetMinWindowBytes = 4096;
constexpr uint32_t kEnetMaxWindowBytes = 65536;

// Size of each command's fixed part, header included (§4.6), by command number; 0 for
// numbers that do not exist.
size_t enet_command_fixed_bytes(uint8_t command_number);

struct EnetDatagramHeader {
    uint16_t peer_id;     // low 12 bits of the field
    uint8_t session_id;   // bits 12-13
    bool compressed;
    bool has_sent_time;
    uint16_t sent_time;   // the sender's clock in ms, low 16 bits; 0 when absent
};

// One parsed command. Only the fields of `type` are meaningful; `data` borrows the datagram.
struct EnetCommand {
    EnetCommandType type;
    uint8_t flags;  // kEnetFlagAcknowledge | kEnetFlagUnsequenced bits of the command byte
    uint8_t channel;
    uint16_t reliable_seq;
    // ACKNOWLEDGE
    uint16_t received_reliable_seq;
    uint16_t received_sent_time;
    // CONNECT and VERIFY_CONNECT
    uint16_t outgoing_peer_id;
    uint8_t incoming_session_id;
    uint8_t outgoing_session_id;
    uint32_t mtu;
    uint32_t window_size;
    uint32_t channel_count;
    // also BANDWIDTH_LIMIT
    uint32_t incoming_bandwidth;
    uint32_t outgoing_bandwidth;
    // also THROTTLE_CONFIGURE
    uint32_t throttle_interval;
    uint32_t throttle_acceleration;
    uint32_t throttle_deceleration;
    uint32_t connect_id;
    // CONNECT and DISCONNECT: the application's 32-bit value
    uint32_t user_data;
    // SEND_UNRELIABLE: unreliable sequence number; SEND_UNSEQUENCED: unsequenced group
    uint16_t unreliable_seq;
    // SEND_FRAGMENT and SEND_UNRELIABLE_FRAGMENT
    uint16_t start_seq;
    uint32_t fragment_count;
    uint32_t fragment_number;
    uint32_t total_length;
    uint32_t fragment_offset;
    // SEND_*: the packet bytes
    const uint8_t *data;
    uint16_t data_size;
};

// Reads one datagram: header(), then next() until it returns kEnd or kMalformed.
class EnetDatagramParser {
public:
    enum class Result : uint8_t { kCommand, kEnd, kMalformed };

    EnetDatagramParser(const uint8_t *datagram, size_t size_bytes) : reader_(datagram, size_bytes) {}

    // False when the datagram is too short for its header.
    [[nodiscard]] bool header(EnetDatagramHeader &out);
    // The next command. kMalformed for an unknown command number, a body or data running past
    // the datagram, or a command past kEnetMaxCommandsPerDatagram; the commands before it
    // stand.
    [[nodiscard]] Result next(EnetCommand &out);

private:
    bool body(EnetCommand &out);

    ByteReader reader_;
    uint32_t commands_ = 0;
};

// Writes one datagram into a caller's buffer. Every append either fits entirely or writes
// nothing and returns false, so a datagram is always well formed.
class EnetDatagramWriter {
public:
    EnetDatagramWriter(uint8_t *buffer, size_t capacity_bytes) : buffer_(buffer), capacity_(capacity_bytes) {}

    // Starts the datagram; the sent time is written only when `sent_time_present`.
    [[nodiscard]] bool header(uint16_t peer_id, uint8_t session_id, bool sent_time_present, uint16_t sent_time);
    // Appends bytes already laid out as a command (see enet_encode_command).
    [[nodiscard]] bool raw(const uint8_t *bytes, size_t size_bytes);
    [[nodiscard]] bool acknowledge(uint8_t channel, uint16_t reliable_seq, uint16_t received_sent_time);

    size_t size() const { return size_; }
    size_t room() const { return capacity_ - size_; }

private:
    uint8_t *buffer_;
    size_t capacity_;
    size_t size_ = 0;
};

// Lays out a whole command (header, body, data) at `out`, which holds `capacity_bytes`;
// returns its size, or 0 when it does not fit or `command.type` is unknown. The fields read
// are those the parser fills for that type.
size_t enet_encode_command(const EnetCommand &command, uint8_t *out, size_t capacity_bytes);

}  // namespace gsc

#endif
