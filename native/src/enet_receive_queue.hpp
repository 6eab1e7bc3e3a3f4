// The ENet client's incoming side: turns the host's SEND_* commands into packets delivered
// once and in order per channel, as ENet's sequencing defines it (data-plane.md §4.6).
//
// Theory of operation. Each channel expects one reliable sequence number next.
// - A reliable command (SEND_RELIABLE or SEND_FRAGMENT) with that number is delivered at
//   once, and then any held commands that follow it. One from the past is a duplicate (the
//   host missed our acknowledgement): acknowledged again, not delivered. One from the near
//   future is held in one of `reorder_slots` slots until the gap closes; with no free slot, or
//   too far ahead, it is refused unacknowledged and the host sends it again later.
// - Fragments of one packet carry consecutive reliable numbers, so they are met in order: the
//   first starts the one reassembly buffer, each next one must continue it, and the last
//   delivers the packet. A packet whose fragments break that rule is dropped and counted.
// - An unreliable command is delivered only if it was sent after the last reliable command
//   delivered on its channel and is newer than the last unreliable one; an unsequenced one
//   unless its group was seen in the current window of 1024 groups. ENet would hold an
//   unreliable command sent after a reliable one still missing; this client drops it
//   (hosts send the control stream reliable, §4.1).
// Delivered packets are copied into an arena and wait for poll(); the arena is sized so that
// everything one input can deliver fits, and is reused once poll() has drained it.
#ifndef GSC_ENET_RECEIVE_QUEUE_HPP
#define GSC_ENET_RECEIVE_QUEUE_HPP

#include <cstddef>
#include <cstdint>
#include <memory>

#include "enet_wire.hpp"
#include "gsc_core.h"

namespace gsc {

// A reliable command further ahead than this is refused: one ENet reliable window (4096
// sequence numbers, ENET_PEER_RELIABLE_WINDOW_SIZE), more than any sender keeps in flight.
constexpr uint16_t kEnetMaxReorderDistance = 4096;
// ENet's unsequenced duplicate window, in groups (ENET_PEER_UNSEQUENCED_WINDOW_SIZE).
constexpr uint32_t kEnetUnsequencedWindow = 1024;

struct EnetReceiveConfig {
    uint32_t channel_count;
    uint32_t reorder_slots;
    // Largest data of one command: the MTU (a command never exceeds its datagram).
    uint32_t command_data_bytes;
    // Largest packet delivered, reassembled or not.
    uint32_t max_packet_bytes;
};

struct EnetReceivedPacket {
    uint8_t channel;
    const uint8_t *data;  // valid until the next input to the queue
    uint32_t size_bytes;
};

struct EnetReceiveStats {
    uint32_t delivered;             // packets given to poll()
    uint32_t duplicates;            // reliable or unsequenced commands already received
    uint32_t held;                  // reliable commands held for a gap to close
    uint32_t refused;               // reliable commands refused: no free slot or too far ahead
    uint32_t stale_unreliable;      // unreliable commands out of order (dropped)
    uint32_t fragments_dropped;     // fragments of packets that could not be reassembled
    uint32_t overflowed;            // packets lost because poll() was not drained
};

class EnetReceiveQueue {
public:
    enum class Verdict : uint8_t {
        kAccepted,   // taken (delivered or held): acknowledge it
        kDuplicate,  // seen before: acknowledge it again
        kRefused,    // not taken: do not acknowledge, the host will send it again
        kMalformed,  // breaks the protocol: stop reading the datagram
    };

    EnetReceiveQueue();
    ~EnetReceiveQueue();
    EnetReceiveQueue(const EnetReceiveQueue &) = delete;
    EnetReceiveQueue &operator=(const EnetReceiveQueue &) = delete;

    [[nodiscard]] gsc_status init(const EnetReceiveConfig &config);
    // Resets every channel for a new connection over `channel_count` channels (at most the
    // configured count).
    void reset(uint32_t channel_count);

    // Call before each input: reuses the arena once everything delivered has been polled.
    void begin_input();

    // SEND_RELIABLE and SEND_FRAGMENT (reliable).
    Verdict reliable(const EnetCommand &command);
    // SEND_UNRELIABLE.
    Verdict unreliable(const EnetCommand &command);
    // SEND_UNSEQUENCED.
    Verdict unsequenced(const EnetCommand &command);

    // The next delivered packet, in delivery order; false when none.
    [[nodiscard]] bool poll(EnetReceivedPacket &out);
    bool empty() const { return ready_count_ == 0; }

    const EnetReceiveStats &stats() const { return stats_; }

private:
    struct Held;
    struct Channel;
    struct Ready;

    bool check_fragment(const EnetCommand &command) const;
    void dispatch(uint8_t channel, const EnetCommand &command);
    void dispatch_held(uint8_t channel);
    void reassemble(uint8_t channel, const EnetCommand &command);
    void abandon_reassembly();
    void deliver(uint8_t channel, const uint8_t *data, uint32_t size_bytes);
    Held *find_held(uint8_t channel, uint16_t seq);
    Held *free_held();
    uint8_t *held_data(const Held &held);

    EnetReceiveConfig config_{};
    uint32_t channel_count_ = 0;
    std::unique_ptr<Channel[]> channels_;
    std::unique_ptr<Held[]> held_;
    std::unique_ptr<uint8_t[]> held_storage_;

    // The reassembly in progress, if any.
    bool assembling_ = false;
    uint8_t assembly_channel_ = 0;
    uint16_t assembly_start_ = 0;
    uint32_t assembly_count_ = 0;
    uint32_t assembly_received_ = 0;
    uint32_t assembly_total_ = 0;
    std::unique_ptr<uint8_t[]> assembly_;

    // Unsequenced duplicate window: groups [base, base + kEnetUnsequencedWindow).
    uint16_t unsequenced_base_ = 0;
    uint32_t unsequenced_seen_[kEnetUnsequencedWindow / 32] = {};

    std::unique_ptr<Ready[]> ready_;
    uint32_t ready_capacity_ = 0;
    uint32_t ready_head_ = 0;
    uint32_t ready_count_ = 0;
    std::unique_ptr<uint8_t[]> arena_;
    size_t arena_capacity_ = 0;
    size_t arena_used_ = 0;

    EnetReceiveStats stats_{};
};

}  // namespace gsc

#endif
