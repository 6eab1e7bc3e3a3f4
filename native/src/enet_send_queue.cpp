#include "enet_send_queue.hpp"

#include <new>

namespace gsc {

namespace {

// A round trip longer than a minute is no measurement (a stale or forged echo).
constexpr uint64_t kMaxRttSampleUs = 60000000;
// RFC 6298 §2: gains 1/8 for the mean and 1/4 for the variance, RTO = SRTT + 4 × RTTVAR.
constexpr uint64_t kRttGainShift = 3;
constexpr uint64_t kVarianceGainShift = 2;
constexpr uint64_t kVarianceFactor = 4;

enum SlotState : uint8_t { kFree, kQueued, kInFlight };

}  // namespace

struct EnetSendQueue::Slot {
    uint8_t state;
    bool reliable;
    bool wait_for_idle;
    EnetCommandType type;
    uint8_t channel;
    uint16_t reliable_seq;
    uint16_t wire_size;
    uint16_t last_sent_time;  // header sent time of the last copy
    uint32_t attempts;
    uint32_t rto_us;
    uint64_t first_sent_us;
    uint64_t last_sent_us;
};

void EnetRttEstimator::sample(uint64_t rtt_us) {
    if (rtt_us > kMaxRttSampleUs) return;
    if (!has_sample_) {
        smoothed_us_ = static_cast<uint32_t>(rtt_us);
        variance_us_ = static_cast<uint32_t>(rtt_us / 2);
        has_sample_ = true;
        return;
    }
    const uint64_t srtt = smoothed_us_;
    const uint64_t deviation = srtt > rtt_us ? srtt - rtt_us : rtt_us - srtt;
    const uint64_t var = variance_us_;
    variance_us_ = static_cast<uint32_t>(var - (var >> kVarianceGainShift) + (deviation >> kVarianceGainShift));
    smoothed_us_ = static_cast<uint32_t>(srtt - (srtt >> kRttGainShift) + (rtt_us >> kRttGainShift));
}

uint32_t EnetRttEstimator::rto_us(uint32_t min_us, uint32_t max_us) const {
    const uint64_t rto = static_cast<uint64_t>(smoothed_us_) + kVarianceFactor * variance_us_;
    if (rto < min_us) return min_us;
    if (rto > max_us) return max_us;
    return static_cast<uint32_t>(rto);
}

EnetSendQueue::EnetSendQueue() = default;
EnetSendQueue::~EnetSendQueue() = default;

gsc_status EnetSendQueue::init(uint32_t slots, uint32_t slot_bytes) {
    if (slots_) return GSC_ERR_BAD_STATE;
    if (slots == 0 || slot_bytes < kEnetCommandHeaderBytes) return GSC_ERR_BAD_ARGUMENT;
    slots_.reset(new (std::nothrow) Slot[slots]());
    wire_.reset(new (std::nothrow) uint8_t[static_cast<size_t>(slots) * slot_bytes]);
    if (!slots_ || !wire_) return GSC_ERR_OUT_OF_MEMORY;
    slot_count_ = slots;
    slot_bytes_ = slot_bytes;
    return GSC_OK;
}

EnetSendQueue::Slot &EnetSendQueue::at(uint32_t ring_index) { return slots_[(head_ + ring_index) % slot_count_]; }

const EnetSendQueue::Slot &EnetSendQueue::at(uint32_t ring_index) const {
    return slots_[(head_ + ring_index) % slot_count_];
}

uint8_t *EnetSendQueue::wire(const Slot &slot) {
    return wire_.get() + static_cast<size_t>(&slot - slots_.get()) * slot_bytes_;
}

bool EnetSendQueue::push(const EnetCommand &command, bool wait_for_idle) {
    if (!slots_ || used_ == slot_count_) return false;
    Slot &slot = at(used_);
    const size_t size = enet_encode_command(command, wire(slot), slot_bytes_);
    if (size == 0) return false;
    slot = Slot{};
    slot.state = kQueued;
    slot.reliable = (command.flags & kEnetFlagAcknowledge) != 0;
    slot.wait_for_idle = wait_for_idle;
    slot.type = command.type;
    slot.channel = command.channel;
    slot.reliable_seq = command.reliable_seq;
    slot.wire_size = static_cast<uint16_t>(size);
    ++used_;
    return true;
}

bool EnetSendQueue::blocked_by_reliable(uint32_t ring_index) const {
    for (uint32_t i = 0; i < used_; ++i) {
        const Slot &slot = at(i);
        if (i != ring_index && slot.reliable && slot.state != kFree) return true;
    }
    return false;
}

uint32_t EnetSendQueue::fill(EnetDatagramWriter &writer, const EnetFillLimits &limits, const EnetRttEstimator &rtt,
                             bool &wrote_reliable) {
    uint32_t written = 0;
    for (uint32_t i = 0; i < used_ && written < limits.commands_left; ++i) {
        Slot &slot = at(i);
        if (slot.state == kInFlight) {
            if (limits.now_us < slot.last_sent_us + slot.rto_us) continue;
            if (!writer.raw(wire(slot), slot.wire_size)) break;
            ++slot.attempts;
            ++retransmissions_;
            slot.rto_us = slot.rto_us >= limits.max_rto_us / 2 ? limits.max_rto_us : slot.rto_us * 2;
        } else if (slot.state == kQueued) {
            if (slot.wait_for_idle && blocked_by_reliable(i)) continue;
            if (slot.reliable && reliable_bytes_in_flight_ != 0 &&
                reliable_bytes_in_flight_ + slot.wire_size > limits.window_bytes) {
                continue;
            }
            if (!writer.raw(wire(slot), slot.wire_size)) break;
            if (!slot.reliable) {
                slot.state = kFree;
                ++written;
                continue;
            }
            slot.state = kInFlight;
            slot.attempts = 1;
            slot.rto_us = rtt.rto_us(limits.min_rto_us, limits.max_rto_us);
            slot.first_sent_us = limits.now_us;
            reliable_bytes_in_flight_ += slot.wire_size;
        } else {
            continue;
        }
        slot.last_sent_us = limits.now_us;
        slot.last_sent_time = limits.sent_time;
        wrote_reliable = true;
        ++written;
    }
    reclaim();
    return written;
}

EnetAckResult EnetSendQueue::acknowledge(uint8_t channel, uint16_t reliable_seq, uint16_t echoed_sent_time,
                                         uint64_t now_us) {
    EnetAckResult result{};
    for (uint32_t i = 0; i < used_; ++i) {
        Slot &slot = at(i);
        if (slot.state != kInFlight || slot.channel != channel || slot.reliable_seq != reliable_seq) continue;
        result.matched = true;
        result.type = slot.type;
        if (slot.attempts == 1 && now_us >= slot.first_sent_us) {
            result.has_rtt_sample = true;
            result.rtt_us = now_us - slot.first_sent_us;
        } else if (echoed_sent_time == slot.last_sent_time && now_us >= slot.last_sent_us) {
            result.has_rtt_sample = true;
            result.rtt_us = now_us - slot.last_sent_us;
        }
        reliable_bytes_in_flight_ -= slot.wire_size;
        slot.state = kFree;
        reclaim();
        return result;
    }
    return result;
}

uint64_t EnetSendQueue::next_retransmit_us() const {
    uint64_t next = UINT64_MAX;
    for (uint32_t i = 0; i < used_; ++i) {
        const Slot &slot = at(i);
        if (slot.state == kInFlight && slot.last_sent_us + slot.rto_us < next) next = slot.last_sent_us + slot.rto_us;
    }
    return next;
}

uint64_t EnetSendQueue::oldest_unacked_sent_us() const {
    uint64_t oldest = UINT64_MAX;
    for (uint32_t i = 0; i < used_; ++i) {
        const Slot &slot = at(i);
        if (slot.state == kInFlight && slot.first_sent_us < oldest) oldest = slot.first_sent_us;
    }
    return oldest;
}

bool EnetSendQueue::has_reliable() const { return blocked_by_reliable(used_); }

void EnetSendQueue::clear() {
    for (uint32_t i = 0; i < used_; ++i) at(i).state = kFree;
    head_ = 0;
    used_ = 0;
    reliable_bytes_in_flight_ = 0;
}

void EnetSendQueue::reclaim() {
    while (used_ != 0 && at(0).state == kFree) {
        head_ = (head_ + 1) % slot_count_;
        --used_;
    }
}

}  // namespace gsc
