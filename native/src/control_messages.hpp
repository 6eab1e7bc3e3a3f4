// The control stream's message catalogue for Sunshine and GFE >= 7.1.431 (data-plane.md
// §4.4): the payloads the client sends, built byte for byte, and the host's messages decoded
// into events. Payloads only; the envelope is control_envelope.hpp's.
#ifndef GSC_CONTROL_MESSAGES_HPP
#define GSC_CONTROL_MESSAGES_HPP

#include <cstddef>
#include <cstdint>

namespace gsc {

// Message types, encrypted control stream column of §4.4.
// Client to host.
constexpr uint16_t kControlTypeInvalidateRefFrames = 0x0301;
constexpr uint16_t kControlTypeRequestIdr = 0x0302;  // also "Start A", the first message
constexpr uint16_t kControlTypeStartB = 0x0307;
constexpr uint16_t kControlTypePeriodicPing = 0x0200;
constexpr uint16_t kControlTypeInputData = 0x0206;
constexpr uint16_t kControlTypeLtrAck = 0x0350;
constexpr uint16_t kControlTypeFrameFecStatus = 0x5502;
// Host to client.
constexpr uint16_t kControlTypeTerminationShort = 0x0100;
constexpr uint16_t kControlTypeTermination = 0x0109;
constexpr uint16_t kControlTypeRumble = 0x010b;
constexpr uint16_t kControlTypeHdrMode = 0x010e;
constexpr uint16_t kControlTypeRumbleTriggers = 0x5500;
constexpr uint16_t kControlTypeSetMotionEvent = 0x5501;
constexpr uint16_t kControlTypeSetRgbLed = 0x5502;  // same number as FEC status, other direction
constexpr uint16_t kControlTypeAdaptiveTriggers = 0x5503;

// Termination codes (§4.4.15). The extended message carries a BE32 HRESULT-style code.
constexpr uint32_t kControlTerminationGraceful = 0x80030023;  // the only code Sunshine sends
constexpr uint32_t kControlTerminationProtectedContent = 0x800E9302;
constexpr uint32_t kControlTerminationFrameConversion = 0x800E9403;
// The short message's LE16 reason for an intended end.
constexpr uint32_t kControlTerminationShortIntended = 0x0100;

// ENet channels of client messages (§4.1).
constexpr uint8_t kControlChannelGeneric = 0x00;
constexpr uint8_t kControlChannelUrgent = 0x01;

// Payload sizes (§4.4.1 - §4.4.7).
constexpr size_t kControlIdrRequestBytes = 2;
constexpr size_t kControlStartBBytes = 1;
constexpr size_t kControlRfiBytes = 24;
constexpr size_t kControlPeriodicPingBytes = 8;
constexpr size_t kControlFecStatusBytes = 21;

size_t control_encode_idr_request(uint8_t out[kControlIdrRequestBytes]);
size_t control_encode_start_b(uint8_t out[kControlStartBBytes]);
// Invalidate frames [first_frame, last_frame] (§4.4.3).
size_t control_encode_rfi(uint32_t first_frame, uint32_t last_frame, uint8_t out[kControlRfiBytes]);
size_t control_encode_periodic_ping(uint8_t out[kControlPeriodicPingBytes]);

// What the client reports about a FEC block it could not, or could only with parity, rebuild
// (§4.4.7; all fields go out big-endian).
struct ControlFecStatus {
    uint32_t frame_index;
    uint16_t highest_received_seq;
    uint16_t next_contiguous_seq;
    uint16_t missing_below_highest;
    uint16_t data_shards;
    uint16_t parity_shards;
    uint16_t data_received;
    uint16_t parity_received;
    uint8_t fec_percentage;
    uint8_t block_index;
    uint8_t block_count;
};
size_t control_encode_fec_status(const ControlFecStatus &status, uint8_t out[kControlFecStatusBytes]);

// HDR mode (§4.4.14): chromaticities in 1/50000, luminances as the host gives them.
struct ControlHdrMetadata {
    uint16_t primaries_x[3];  // declared order red, green, blue (§8 item 8)
    uint16_t primaries_y[3];
    uint16_t white_point_x;
    uint16_t white_point_y;
    uint16_t max_display_luminance_nits;
    uint16_t min_display_luminance_10000ths_nit;
    uint16_t max_content_light_level_nits;
    uint16_t max_frame_average_light_level_nits;
    uint16_t max_full_frame_luminance_nits;
};

enum class ControlTerminationCause : uint8_t {
    kHostTerminated,     // the host sent a termination message: `host_code` says why
    kHostDisconnected,   // the host closed ENet without a message (§4.4.15: no reason code)
    kTimeout,            // the host went silent (enet peer timeout)
    kConnectFailed,      // the host never accepted the ENet connection, or answered wrongly
    kLocal,              // stop() finished
};

struct ControlEvent {
    enum class Kind : uint8_t {
        kConnected,       // control stream up, start messages sent
        kTerminated,      // the session is over: `termination` (always the last event)
        kRumble,          // `rumble` (§4.4.9)
        kRumbleTriggers,  // `rumble_triggers` (§4.4.10)
        kHdrMode,         // `hdr` (§4.4.14)
    };
    Kind kind;
    struct {
        ControlTerminationCause cause;
        uint32_t host_code;   // the message's code (BE32), or the short message's LE16 reason
        bool extended_code;   // host_code came from a 4-byte code
    } termination;
    struct {
        uint16_t controller;
        uint16_t low_frequency;   // 0..65535; (0, 0) stops
        uint16_t high_frequency;
    } rumble;
    struct {
        uint16_t controller;
        uint16_t left;
        uint16_t right;
    } rumble_triggers;
    struct {
        bool enabled;
        bool has_metadata;  // Sunshine's 27-byte form; GFE sends the flag only
        ControlHdrMetadata metadata;
    } hdr;
};

enum class ControlDecodeResult : uint8_t {
    kEvent,    // `out` holds the event
    kIgnored,  // a known host message this client does not act on (motion, LED, adaptive triggers)
    kUnknown,  // a type not in the catalogue
    kMalformed,  // a known type with a payload too short for it
};

// Decodes one host message.
ControlDecodeResult control_decode_host_message(uint16_t type, const uint8_t *payload, size_t payload_bytes,
                                                ControlEvent &out);

}  // namespace gsc

#endif
