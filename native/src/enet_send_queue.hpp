// The ENet client's outgoing side: the commands waiting to go out or to be acknowledged, and
// the round-trip estimate that times their retransmission (data-plane.md §4.6).
//
// Theory of operation. Every command to send (CONNECT, PING, DISCONNECT, SEND_*) is laid out
// once, in wire form, in a slot of a fixed ring, in the order it was queued. fill() walks the
// ring from its oldest slot and appends to a datagram: reliable commands in flight whose
// retransmission time has come, then commands not sent yet, as long as they fit in the
// datagram and reliable data in flight stays within the peer's window. A reliable command
// stays in its slot until its ACKNOWLEDGE arrives; anything else is freed once written. Freed
// slots are reclaimed from the oldest end, so one command waiting for its acknowledgement
// holds the ring until it is acknowledged or the peer times out; that is the back-pressure on
// senders.
//
// Retransmission timeout (RTO): smoothed RTT + 4 × RTT variance (RFC 6298's estimator, which
// ENet also uses), at least `min_rto_us`, doubled at each retransmission of a command up to
// `max_rto_us`. Samples follow Karn's rule: a command sent once gives now − send time; a
// retransmitted one only when the acknowledgement echoes the sent time of its last copy.
#ifndef GSC_ENET_SEND_QUEUE_HPP
#define GSC_ENET_SEND_QUEUE_HPP

#include <cstddef>
#include <cstdint>
#include <memory>

#include "enet_wire.hpp"
#include "gsc_core.h"

namespace gsc {

// ENet's starting estimate before any sample: 500 ms round trip, no variance (the
// ENET_PEER_DEFAULT_ROUND_TRIP_TIME both the fork and upstream start from).
constexpr uint32_t kEnetInitialRttUs = 500000;

class EnetRttEstimator {
public:
    void sample(uint64_t rtt_us);
    // The retransmission timeout for a first transmission, clamped to [min_us, max_us].
    uint32_t rto_us(uint32_t min_us, uint32_t max_us) const;
    uint32_t smoothed_us() const { return smoothed_us_; }
    uint32_t variance_us() const { return variance_us_; }
    bool has_sample() const { return has_sample_; }

private:
    uint32_t smoothed_us_ = kEnetInitialRttUs;
    uint32_t variance_us_ = 0;
    bool has_sample_ = false;
};

// What fill() may put in one datagram.
struct EnetFillLimits {
    uint64_t now_us;
    uint16_t sent_time;          // the datagram header's sent time, kept for Karn's rule
    uint32_t commands_left;      // commands the datagram may still take
    uint32_t window_bytes;       // the peer's window: reliable bytes allowed in flight
    uint32_t min_rto_us;
    uint32_t max_rto_us;
};

struct EnetAckResult {
    bool matched;              // a reliable command in flight had that channel and sequence
    EnetCommandType type;      // its command type
    bool has_rtt_sample;
    uint64_t rtt_us;
};

class EnetSendQueue {
public:
    EnetSendQueue();
    ~EnetSendQueue();
    EnetSendQueue(const EnetSendQueue &) = delete;
    EnetSendQueue &operator=(const EnetSendQueue &) = delete;

    // Allocates `slots` slots of `slot_bytes` each (the largest command in wire form).
    [[nodiscard]] gsc_status init(uint32_t slots, uint32_t slot_bytes);

    // Queues a command; false when the ring is full or the command does not fit in a slot.
    // A `wait_for_idle` command (DISCONNECT) goes out only once no other reliable command is
    // queued or in flight, so it never overtakes data.
    [[nodiscard]] bool push(const EnetCommand &command, bool wait_for_idle = false);
    uint32_t free_slots() const { return slot_count_ - used_; }

    // Appends what is due (see the theory of operation); returns how many commands it wrote
    // and sets `wrote_reliable` when one of them asks for an acknowledgement.
    uint32_t fill(EnetDatagramWriter &writer, const EnetFillLimits &limits, const EnetRttEstimator &rtt,
                  bool &wrote_reliable);

    // Matches an ACKNOWLEDGE and frees the command it acknowledges.
    EnetAckResult acknowledge(uint8_t channel, uint16_t reliable_seq, uint16_t echoed_sent_time, uint64_t now_us);

    // Earliest retransmission time of a reliable command in flight; UINT64_MAX when none.
    uint64_t next_retransmit_us() const;
    // First send time of the oldest unacknowledged reliable command; UINT64_MAX when none.
    uint64_t oldest_unacked_sent_us() const;
    // A reliable command is queued or in flight.
    bool has_reliable() const;
    // Reliable commands sent again after their timeout, since init().
    uint32_t retransmissions() const { return retransmissions_; }
    // Drops everything (a reset of the connection).
    void clear();

private:
    struct Slot;

    Slot &at(uint32_t ring_index);
    const Slot &at(uint32_t ring_index) const;
    uint8_t *wire(const Slot &slot);
    bool blocked_by_reliable(uint32_t ring_index) const;
    void reclaim();

    std::unique_ptr<Slot[]> slots_;
    std::unique_ptr<uint8_t[]> wire_;
    uint32_t slot_count_ = 0;
    uint32_t slot_bytes_ = 0;
    uint32_t head_ = 0;   // oldest slot of the ring
    uint32_t used_ = 0;   // slots from head_ on that are taken, holes included
    uint32_t reliable_bytes_in_flight_ = 0;
    uint32_t retransmissions_ = 0;
};

}  // namespace gsc

#endif
