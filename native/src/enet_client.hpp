// An ENet client peer, wire-compatible with the ENet of GameStream hosts (moonlight fork and
// upstream 1.3.x alike, data-plane.md §4.1, §4.6), sans-IO: fed datagrams and the time, it
// answers with datagrams to send, events, and its next deadline.
//
// Theory of operation. One peer, one state machine:
//
//   kIdle --connect()--> kConnecting --VERIFY_CONNECT--> kConnected --disconnect()--> kDisconnecting
//                            |                               |                             |
//                            +-- timeout, refused ---------> kClosed <-- host DISCONNECT, --+-- DISCONNECT acked,
//                                                                        peer timeout,          linger over
//                                                                        disconnect_now()
//
// - connect() queues CONNECT (48 channels, the session's connect data, the caller's random
//   connect id). The host's VERIFY_CONNECT must echo the connect id and throttle settings;
//   it gives the peer id and session ids to stamp on every later datagram and the MTU,
//   window and channel count, each the smaller of both sides'.
// - Reliable commands the host sends are acknowledged in the next datagram (echoing the sent
//   time of the datagram that carried them) and delivered once, in order, per channel
//   (enet_receive_queue.hpp). Our own reliable commands are retransmitted until acknowledged
//   (enet_send_queue.hpp).
// - Liveness: after `ping_interval_us` without hearing from the host and with nothing
//   reliable outstanding, a PING goes out, so a live host always answers within a round trip.
//   The peer times out `peer_timeout_us` after the last datagram from the host, or after the
//   first transmission of a reliable command still unacknowledged, whichever comes first.
// - disconnect() lets queued data go out and be acknowledged, then sends DISCONNECT and waits
//   for its acknowledgement, for at most `disconnect_linger_us` in all. disconnect_now() sends
//   one unacknowledged DISCONNECT and closes at once.
//
// Timers live in one table (EnetTimer); next_deadline_us() is its minimum, and
// handle_timeout() acts only on deadlines that have passed, so calling it early or twice does
// nothing. Memory is allocated by init() only; nothing from the network is trusted: a datagram
// that is not for this peer, or not well formed, is dropped and counted.
//
// Calling order after every input (receive, handle_timeout, connect, send, disconnect*):
// poll_transmit() until it returns 0, then poll_event() until false, then next_deadline_us().
#ifndef GSC_ENET_CLIENT_HPP
#define GSC_ENET_CLIENT_HPP

#include <cstddef>
#include <cstdint>
#include <memory>

#include "enet_receive_queue.hpp"
#include "enet_send_queue.hpp"
#include "enet_wire.hpp"
#include "gsc_core.h"

namespace gsc {

struct EnetClientConfig {
    // 900: the moonlight fork's default, which Sunshine also uses (§4.6, §9.1). kEnetMinMtu..kEnetMaxMtu.
    uint32_t mtu = 900;
    // GameStream clients ask for 48 channels (§4.1). kEnetMinChannels..kEnetMaxChannels.
    uint32_t channel_count = 48;
    // ENet's random connect id: the caller draws it (the core draws no randomness).
    uint32_t connect_id = 0;
    // The session ends this long after the host went silent: within 3 s of the host
    // vanishing is the product's requirement (MCC waits 10 s, §1.5). 100 ms .. 60 s.
    uint32_t peer_timeout_us = 3000000;
    // How long CONNECT may go unanswered (MCC's connect wait, §4.1). 100 ms .. 60 s.
    uint32_t connect_timeout_us = 10000000;
    // Idle time before a PING (ENet's default ping interval, §1.5). 10 ms .. 10 s.
    uint32_t ping_interval_us = 500000;
    // Longest graceful disconnect (MCC lingers 2 s, §4.1). 0 .. 10 s.
    uint32_t disconnect_linger_us = 2000000;
    // Retransmission timeout bounds. The floor keeps a LAN's sub-millisecond RTT estimate
    // from causing copies on every jitter (our choice; ENet's own floor is a few ms, and the
    // recorded sessions show those copies). 1 ms <= min <= max <= 10 s.
    uint32_t min_retransmit_us = 20000;
    uint32_t max_retransmit_us = 500000;
    // Largest packet sent or received (reassembled from fragments). 1 .. kEnetMaxPacketBytes.
    uint32_t max_packet_bytes = 4096;
    // Commands waiting to be sent or acknowledged. kEnetMinSendSlots .. kEnetMaxSendSlots.
    uint32_t send_slots = 64;
    // Host commands held while an earlier one is missing. 1 .. kEnetMaxReorderSlots.
    uint32_t reorder_slots = 32;
};

// Bounds of the config's counts (memory at init: slots × MTU each).
constexpr uint32_t kEnetMaxPacketBytes = 1u << 20;
constexpr uint32_t kEnetMinSendSlots = 4;
constexpr uint32_t kEnetMaxSendSlots = 1024;
constexpr uint32_t kEnetMaxReorderSlots = 256;

enum class EnetState : uint8_t { kIdle, kConnecting, kConnected, kDisconnecting, kClosed };

enum class EnetDelivery : uint8_t { kReliable, kUnreliable, kUnsequenced };

enum class EnetDisconnectReason : uint8_t {
    kLocal,           // disconnect() or disconnect_now() finished
    kRemote,          // the host sent DISCONNECT (`disconnect_data` holds its value)
    kTimeout,         // the host went silent, or left a reliable command unacknowledged
    kConnectTimeout,  // no VERIFY_CONNECT within connect_timeout_us
    kRefused,         // the VERIFY_CONNECT did not match our CONNECT
};

struct EnetEvent {
    enum class Kind : uint8_t { kConnected, kReceived, kDisconnected };
    Kind kind;
    // kReceived: the packet; `data` is valid until the next call that changes the client.
    uint8_t channel;
    const uint8_t *data;
    uint32_t size_bytes;
    // kDisconnected
    EnetDisconnectReason reason;
    uint32_t disconnect_data;
};

struct EnetStats {
    uint32_t datagrams_received;
    uint32_t datagrams_sent;
    uint32_t malformed;          // datagrams with a malformed header or command (rest dropped)
    uint32_t foreign;            // datagrams for another peer id or session
    uint32_t ignored;            // datagrams or commands the state does not take (before connect, after close, unexpected CONNECT)
    uint32_t unsupported;        // SEND_UNRELIABLE_FRAGMENT and compressed datagrams, dropped
    uint32_t acks_received;
    uint32_t acks_unmatched;     // acknowledged nothing in flight (late copies)
    uint32_t acks_sent;
    uint32_t acks_dropped;       // could not be queued (poll_transmit not drained)
    uint32_t retransmissions;
    uint32_t pings_sent;
    uint32_t rtt_us;             // smoothed round-trip time
    uint32_t rtt_variance_us;
    EnetReceiveStats receive;
};

class EnetClient {
public:
    EnetClient() = default;
    EnetClient(const EnetClient &) = delete;
    EnetClient &operator=(const EnetClient &) = delete;

    // Checks the config against its documented ranges and allocates everything.
    // GSC_ERR_BAD_ARGUMENT, GSC_ERR_OUT_OF_MEMORY, GSC_ERR_BAD_STATE when called twice.
    [[nodiscard]] gsc_status init(const EnetClientConfig &config);

    // Queues CONNECT with `connect_data` (X-SS-Connect-Data, §1.2). kIdle only (GSC_ERR_BAD_STATE).
    [[nodiscard]] gsc_status connect(uint32_t connect_data, uint64_t now_us);

    // One datagram from the host's control port.
    void receive(const uint8_t *datagram, size_t size_bytes, uint64_t now_us);

    // Acts on the deadlines that have passed; harmless when early or repeated.
    void handle_timeout(uint64_t now_us);

    // Writes the next datagram to send into `buffer` and returns its size, or 0 when there is
    // nothing to send. `capacity_bytes` should be at least the config's MTU (datagrams never
    // exceed it); a smaller buffer gets smaller datagrams.
    size_t poll_transmit(uint8_t *buffer, size_t capacity_bytes);

    // Queues a packet on `channel`. kConnected only (GSC_ERR_BAD_STATE); GSC_ERR_BAD_ARGUMENT
    // for a channel past the negotiated count; GSC_ERR_BAD_LENGTH for more than
    // max_packet_bytes, or an unreliable/unsequenced packet larger than one datagram holds;
    // GSC_ERR_BUFFER_TOO_SMALL when the send slots are full (nothing queued: try later).
    // Reliable packets larger than a datagram go out as fragments.
    [[nodiscard]] gsc_status send(uint8_t channel, EnetDelivery delivery, const uint8_t *data, size_t size_bytes,
                                  uint64_t now_us);

    // Graceful close (see the theory of operation). In kConnecting it is disconnect_now().
    // No effect in kIdle, kDisconnecting or kClosed.
    void disconnect(uint64_t now_us);
    // Immediate close: one DISCONNECT without acknowledgement, then kClosed.
    void disconnect_now(uint64_t now_us);

    // The next event; false when none. Packet data is borrowed (see EnetEvent).
    [[nodiscard]] bool poll_event(EnetEvent &out);

    // When handle_timeout() next has work; UINT64_MAX when nothing waits on time.
    uint64_t next_deadline_us() const;

    EnetState state() const { return state_; }
    // Negotiated with VERIFY_CONNECT (the config's values before).
    uint32_t mtu() const { return mtu_; }
    uint32_t channel_count() const { return channel_count_; }
    EnetStats stats() const;

private:
    enum EnetTimer : uint8_t { kTimerRetransmit, kTimerKeepalive, kTimerPeerTimeout, kTimerLinger, kTimerCount };

    struct PendingAck {
        uint8_t channel;
        uint16_t reliable_seq;
        uint16_t sent_time;
    };

    void advance_clock(uint64_t now_us);
    bool process(const EnetDatagramHeader &header, const EnetCommand &command);
    bool process_verify(const EnetCommand &command);
    void process_acknowledge(const EnetCommand &command);
    EnetReceiveQueue::Verdict process_send(const EnetCommand &command);
    void queue_ack(const EnetDatagramHeader &header, const EnetCommand &command);
    bool push_control(EnetCommandType type, uint8_t flags, uint32_t user_data, bool wait_for_idle);
    void close(EnetDisconnectReason reason, uint32_t data);
    void update_timers();
    uint16_t sent_time() const;

    EnetClientConfig config_{};
    bool initialized_ = false;
    EnetState state_ = EnetState::kIdle;
    uint64_t now_us_ = 0;

    // Negotiated by VERIFY_CONNECT.
    uint16_t outgoing_peer_id_ = kEnetPeerIdNone;
    uint8_t incoming_session_ = 0;
    uint8_t outgoing_session_ = 0;
    uint32_t mtu_ = 0;
    uint32_t channel_count_ = 0;
    uint32_t window_bytes_ = kEnetMaxWindowBytes;
    uint16_t connect_seq_ = 0;

    // Sequence numbers of what we send: per channel, and for the connection-level commands.
    std::unique_ptr<uint16_t[]> out_reliable_;
    std::unique_ptr<uint16_t[]> out_unreliable_;
    uint16_t out_control_seq_ = 0;
    uint16_t out_unsequenced_group_ = 0;

    EnetSendQueue sends_;
    EnetRttEstimator rtt_;
    EnetReceiveQueue receives_;

    // Acknowledgements owed to the host: what two full datagrams of commands need.
    static constexpr uint32_t kMaxPendingAcks = 2 * kEnetMaxCommandsPerDatagram;
    PendingAck acks_[kMaxPendingAcks] = {};
    uint32_t ack_head_ = 0;
    uint32_t ack_count_ = 0;

    uint64_t connect_started_us_ = 0;
    uint64_t last_receive_us_ = 0;
    uint64_t disconnect_started_us_ = 0;
    uint64_t deadlines_[kTimerCount] = {};

    bool connected_event_ = false;
    bool disconnected_event_ = false;
    EnetDisconnectReason disconnect_reason_ = EnetDisconnectReason::kLocal;
    uint32_t disconnect_data_ = 0;

    EnetStats stats_{};
};

}  // namespace gsc

#endif
