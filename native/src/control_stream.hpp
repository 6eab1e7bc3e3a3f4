// The control stream of a session (data-plane.md §4): an ENet connection to the host's
// control port carrying encrypted messages (control_envelope.hpp) from the catalogue of
// control_messages.hpp. Sans-IO, like the EnetClient it owns.
//
// Theory of operation.
//
//   kIdle --start()--> kConnecting --ENet connected--> kStreaming --stop()--> kStopping
//                          |                               |                      |
//                          +-------------------------------+----------------------+--> kEnded
//                             ENet closed for any reason, or a termination message
//
// - On connection the client sends what the reference client sends first, in its order
//   (§4.4.1, §4.4.2, §9.1: IDR request 0x0302 "00 00", then 0x0307 "00", both reliable on
//   channel 0), then the periodic ping 0x0200 at once and every `ping_interval_us` after
//   (§4.4.4). FEC status reports (§4.4.7) wait for the next ping and go out with it,
//   unsequenced, at most kControlMaxFecStatusPerPing of them.
// - Each message goes out sealed with the next client sequence number (from 0); each host
//   message is opened, checked and decoded into an event or counted. A packet that is not an
//   envelope, does not authenticate or is malformed is dropped and counted, never fatal (the
//   host, not the client, ends a session over such a packet).
// - The session ends exactly once, with one kTerminated event that says why: a host
//   termination message with its code (the ENet peer is then dropped at once, as MCC does,
//   §4.4.15), the host closing ENet, the host going silent, a failed connect, or stop().
//
// Legacy GFE framing (unencrypted V1, §4.2) and the loss-stats message of hosts before
// 7.1.415 (§4.4.5) are not implemented: Sunshine and GFE >= 7.1.431 use neither.
//
// Calling order after every input, as for EnetClient: poll_transmit() until 0, poll_event()
// until false, next_deadline_us().
#ifndef GSC_CONTROL_STREAM_HPP
#define GSC_CONTROL_STREAM_HPP

#include <cstddef>
#include <cstdint>

#include "control_envelope.hpp"
#include "control_messages.hpp"
#include "enet_client.hpp"
#include "gsc_core.h"

namespace gsc {

// §4.4.7: at most 8 FEC status reports per 100 ms batch; extras are dropped.
constexpr uint32_t kControlMaxFecStatusPerPing = 8;
// Events one input can produce: every message of a full datagram plus everything the ENet
// reorder slots release, plus connect and termination (see EnetReceiveQueue's sizing).
constexpr uint32_t kControlMaxQueuedEvents = kEnetMaxCommandsPerDatagram + kEnetMaxReorderSlots + 2;

// x-ml-general.featureFlags the client announces (§1.2): 0x01 it sends FEC status messages.
constexpr uint32_t kControlClientFeatureFecStatus = 0x01;

struct ControlStreamConfig {
    uint8_t key[kControlKeyBytes] = {};  // the launch's rikey
    uint32_t connect_data = 0;           // X-SS-Connect-Data from the control SETUP reply (§1.2)
    // The ENet peer; its connect_id is the caller's random number.
    EnetClientConfig enet{};
    // §4.4.4: every 100 ms. 10 ms .. 1 s.
    uint32_t ping_interval_us = 100000;
    // The x-ml-general.featureFlags value announced in the SDP (MCC announces 3).
    uint32_t client_feature_flags = 0x03;
};

enum class ControlState : uint8_t { kIdle, kConnecting, kStreaming, kStopping, kEnded };

struct ControlStats {
    uint32_t messages_sent;
    uint32_t messages_received;     // opened and decoded (events, ignored or unknown)
    uint32_t pings_sent;
    uint32_t idr_requests;
    uint32_t rfi_requests;
    uint32_t fec_status_sent;
    uint32_t fec_status_dropped;    // over the per-ping limit, or not announced
    uint32_t send_failures;         // ENet refused a message (queue full)
    uint32_t not_encrypted;         // packets without the envelope marker
    uint32_t malformed;             // bad envelope lengths, bad inner header, payload too short for its type
    uint32_t too_large;             // payload over kControlMaxPayloadBytes
    uint32_t auth_failures;         // tag did not verify
    uint32_t terminations;
    uint32_t rumble;
    uint32_t rumble_triggers;
    uint32_t hdr_mode;
    uint32_t ignored_messages;      // known host messages this client does not act on
    uint32_t unknown_messages;
    uint32_t events_dropped;        // poll_event() not drained
    EnetStats enet;
};

class ControlStream {
public:
    ControlStream() = default;
    ControlStream(const ControlStream &) = delete;
    ControlStream &operator=(const ControlStream &) = delete;

    // Checks the config, sets up the ENet peer. GSC_ERR_BAD_ARGUMENT, GSC_ERR_OUT_OF_MEMORY,
    // GSC_ERR_BAD_STATE when called twice.
    [[nodiscard]] gsc_status init(const ControlStreamConfig &config);
    // Connects to the host. kIdle only.
    [[nodiscard]] gsc_status start(uint64_t now_us);

    // One datagram from the host's control port.
    void handle_datagram(const uint8_t *datagram, size_t size_bytes, uint64_t now_us);
    // Harmless when early or repeated.
    void handle_timeout(uint64_t now_us);
    // As EnetClient::poll_transmit.
    size_t poll_transmit(uint8_t *buffer, size_t capacity_bytes);
    [[nodiscard]] bool poll_event(ControlEvent &out);
    uint64_t next_deadline_us() const;

    // Commands; kStreaming only (GSC_ERR_BAD_STATE). GSC_ERR_BUFFER_TOO_SMALL when ENet's
    // send slots are full: nothing was sent, try again later.
    // An IDR request (§4.4.1), reliable on the urgent channel.
    [[nodiscard]] gsc_status request_idr(uint64_t now_us);
    // Invalidate frames [first_frame, last_frame] (§4.4.3), reliable on the urgent channel.
    [[nodiscard]] gsc_status request_rfi(uint32_t first_frame, uint32_t last_frame, uint64_t now_us);
    // Queues a FEC status report for the next ping (§4.4.7). GSC_ERR_BAD_STATE too when the
    // client did not announce kControlClientFeatureFecStatus; dropped (and counted) past
    // kControlMaxFecStatusPerPing.
    [[nodiscard]] gsc_status report_fec_status(const ControlFecStatus &status, uint64_t now_us);
    // Any other message (input data 0x0206, §5): `payload_bytes` up to kControlMaxPayloadBytes
    // (GSC_ERR_BAD_LENGTH), on a channel below the negotiated count (GSC_ERR_BAD_ARGUMENT).
    [[nodiscard]] gsc_status send_message(uint16_t type, const uint8_t *payload, size_t payload_bytes, uint8_t channel,
                                          EnetDelivery delivery, uint64_t now_us);
    // Graceful end (ENet disconnect); the kTerminated event (kLocal) follows.
    void stop(uint64_t now_us);

    ControlState state() const { return state_; }
    ControlStats stats() const;

private:
    enum ControlTimer : uint8_t { kTimerPeriodicPing, kTimerCount };

    void pump();
    void on_connected();
    void on_packet(const EnetEvent &event);
    void on_closed(EnetDisconnectReason reason);
    void end(ControlTerminationCause cause, uint32_t host_code, bool extended_code);
    void send_ping_batch();
    gsc_status send_sealed(uint16_t type, const uint8_t *payload, size_t payload_bytes, uint8_t channel,
                           EnetDelivery delivery);
    void push_event(const ControlEvent &event);
    void update_timers();

    ControlStreamConfig config_{};
    bool initialized_ = false;
    ControlState state_ = ControlState::kIdle;
    uint64_t now_us_ = 0;
    EnetClient enet_;

    uint32_t send_sequence_ = 0;
    uint8_t seal_buffer_[kControlMaxEnvelopeBytes] = {};
    uint8_t open_buffer_[kControlMessageHeaderBytes + kControlMaxPayloadBytes] = {};

    ControlFecStatus fec_pending_[kControlMaxFecStatusPerPing] = {};
    uint32_t fec_pending_count_ = 0;

    uint64_t next_ping_us_ = UINT64_MAX;
    uint64_t deadlines_[kTimerCount] = {};

    ControlEvent events_[kControlMaxQueuedEvents] = {};
    uint32_t event_head_ = 0;
    uint32_t event_count_ = 0;

    ControlStats stats_{};
};

}  // namespace gsc

#endif
