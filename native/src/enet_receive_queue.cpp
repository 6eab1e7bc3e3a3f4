#include "enet_receive_queue.hpp"

#include <cstring>
#include <new>

namespace gsc {

namespace {

// 16-bit sequence numbers compare as serial numbers (data-plane.md §0.2).
constexpr uint16_t kSequenceHalf = 0x8000;

uint16_t distance(uint16_t from, uint16_t to) { return static_cast<uint16_t>(to - from); }

bool is_fragment(const EnetCommand &command) { return command.type == EnetCommandType::kSendFragment; }

}  // namespace

struct EnetReceiveQueue::Held {
    bool in_use;
    uint8_t channel;
    uint16_t seq;
    EnetCommand command;  // data points into this slot's storage
};

struct EnetReceiveQueue::Channel {
    uint16_t next_reliable;      // the reliable sequence number delivered next
    uint16_t last_unreliable;    // newest unreliable number since the last reliable delivery
};

struct EnetReceiveQueue::Ready {
    uint8_t channel;
    size_t offset;
    uint32_t size_bytes;
};

EnetReceiveQueue::EnetReceiveQueue() = default;
EnetReceiveQueue::~EnetReceiveQueue() = default;

gsc_status EnetReceiveQueue::init(const EnetReceiveConfig &config) {
    if (channels_) return GSC_ERR_BAD_STATE;
    if (config.channel_count < kEnetMinChannels || config.channel_count > kEnetMaxChannels ||
        config.reorder_slots == 0 || config.command_data_bytes == 0 || config.max_packet_bytes == 0) {
        return GSC_ERR_BAD_ARGUMENT;
    }
    config_ = config;
    // One input delivers at most: the data of one datagram, everything held, and the bytes of
    // a reassembly begun by earlier inputs; and one packet per command read or held.
    ready_capacity_ = kEnetMaxCommandsPerDatagram + config.reorder_slots;
    arena_capacity_ = kEnetMaxMtu + static_cast<size_t>(config.reorder_slots) * config.command_data_bytes +
                      config.max_packet_bytes;
    channels_.reset(new (std::nothrow) Channel[config.channel_count]());
    held_.reset(new (std::nothrow) Held[config.reorder_slots]());
    held_storage_.reset(new (std::nothrow) uint8_t[static_cast<size_t>(config.reorder_slots) * config.command_data_bytes]);
    assembly_.reset(new (std::nothrow) uint8_t[config.max_packet_bytes]);
    ready_.reset(new (std::nothrow) Ready[ready_capacity_]());
    arena_.reset(new (std::nothrow) uint8_t[arena_capacity_]);
    if (!channels_ || !held_ || !held_storage_ || !assembly_ || !ready_ || !arena_) return GSC_ERR_OUT_OF_MEMORY;
    reset(config.channel_count);
    return GSC_OK;
}

void EnetReceiveQueue::reset(uint32_t channel_count) {
    channel_count_ = channel_count < config_.channel_count ? channel_count : config_.channel_count;
    // ENet numbers reliable commands from 1 on every channel.
    for (uint32_t i = 0; i < config_.channel_count; ++i) channels_[i] = Channel{1, 0};
    for (uint32_t i = 0; i < config_.reorder_slots; ++i) held_[i].in_use = false;
    assembling_ = false;
    unsequenced_base_ = 0;
    std::memset(unsequenced_seen_, 0, sizeof unsequenced_seen_);
    ready_head_ = 0;
    ready_count_ = 0;
    arena_used_ = 0;
}

void EnetReceiveQueue::begin_input() {
    if (ready_count_ == 0) arena_used_ = 0;
}

EnetReceiveQueue::Verdict EnetReceiveQueue::reliable(const EnetCommand &command) {
    const uint8_t channel = command.channel;
    if (channel >= channel_count_ || command.data_size > config_.command_data_bytes) return Verdict::kMalformed;
    if (is_fragment(command) ? !check_fragment(command) : command.data_size > config_.max_packet_bytes) {
        return Verdict::kMalformed;
    }
    const uint16_t ahead = distance(channels_[channel].next_reliable, command.reliable_seq);
    if (ahead >= kSequenceHalf) {
        ++stats_.duplicates;
        return Verdict::kDuplicate;
    }
    if (ahead == 0) {
        dispatch(channel, command);
        dispatch_held(channel);
        return Verdict::kAccepted;
    }
    if (find_held(channel, command.reliable_seq) != nullptr) {
        ++stats_.duplicates;
        return Verdict::kDuplicate;
    }
    Held *slot = ahead < kEnetMaxReorderDistance ? free_held() : nullptr;
    if (slot == nullptr) {
        ++stats_.refused;
        return Verdict::kRefused;
    }
    slot->in_use = true;
    slot->channel = channel;
    slot->seq = command.reliable_seq;
    slot->command = command;
    if (command.data_size != 0) std::memcpy(held_data(*slot), command.data, command.data_size);
    slot->command.data = held_data(*slot);
    ++stats_.held;
    return Verdict::kAccepted;
}

EnetReceiveQueue::Verdict EnetReceiveQueue::unreliable(const EnetCommand &command) {
    const uint8_t channel = command.channel;
    if (channel >= channel_count_ || command.data_size > config_.max_packet_bytes) return Verdict::kMalformed;
    Channel &state = channels_[channel];
    // It names the last reliable command sent before it on its channel.
    const bool after_last_reliable = static_cast<uint16_t>(state.next_reliable - 1) == command.reliable_seq;
    const uint16_t newer = distance(state.last_unreliable, command.unreliable_seq);
    if (!after_last_reliable || newer == 0 || newer >= kSequenceHalf) {
        ++stats_.stale_unreliable;
        return Verdict::kDuplicate;
    }
    state.last_unreliable = command.unreliable_seq;
    deliver(channel, command.data, command.data_size);
    return Verdict::kAccepted;
}

EnetReceiveQueue::Verdict EnetReceiveQueue::unsequenced(const EnetCommand &command) {
    if (command.channel >= channel_count_ || command.data_size > config_.max_packet_bytes) return Verdict::kMalformed;
    const uint16_t group = command.unreliable_seq;
    const uint16_t offset = distance(unsequenced_base_, group);
    if (offset >= kSequenceHalf) {
        ++stats_.duplicates;  // older than the window: treated as already seen
        return Verdict::kDuplicate;
    }
    if (offset >= kEnetUnsequencedWindow) {
        unsequenced_base_ = static_cast<uint16_t>(group - group % kEnetUnsequencedWindow);
        std::memset(unsequenced_seen_, 0, sizeof unsequenced_seen_);
    }
    const uint32_t index = distance(unsequenced_base_, group);
    const uint32_t bit = 1u << (index % 32);
    if ((unsequenced_seen_[index / 32] & bit) != 0) {
        ++stats_.duplicates;
        return Verdict::kDuplicate;
    }
    unsequenced_seen_[index / 32] |= bit;
    deliver(command.channel, command.data, command.data_size);
    return Verdict::kAccepted;
}

bool EnetReceiveQueue::poll(EnetReceivedPacket &out) {
    if (ready_count_ == 0) return false;
    const Ready &ready = ready_[ready_head_];
    out.channel = ready.channel;
    out.data = arena_.get() + ready.offset;
    out.size_bytes = ready.size_bytes;
    ready_head_ = (ready_head_ + 1) % ready_capacity_;
    --ready_count_;
    return true;
}

bool EnetReceiveQueue::check_fragment(const EnetCommand &c) const {
    // The fragment fields must describe one piece of a packet we could hold, and the
    // fragment's own sequence number must be its place after the first fragment's.
    return c.fragment_count != 0 && c.fragment_number < c.fragment_count && c.total_length <= config_.max_packet_bytes &&
           c.fragment_count <= c.total_length && c.fragment_offset <= c.total_length &&
           c.data_size <= c.total_length - c.fragment_offset &&
           distance(c.start_seq, c.reliable_seq) == c.fragment_number;
}

void EnetReceiveQueue::dispatch(uint8_t channel, const EnetCommand &command) {
    Channel &state = channels_[channel];
    state.next_reliable = static_cast<uint16_t>(command.reliable_seq + 1);
    state.last_unreliable = 0;
    if (is_fragment(command)) {
        reassemble(channel, command);
        return;
    }
    if (assembling_ && assembly_channel_ == channel) abandon_reassembly();
    deliver(channel, command.data, command.data_size);
}

void EnetReceiveQueue::dispatch_held(uint8_t channel) {
    for (Held *held = find_held(channel, channels_[channel].next_reliable); held != nullptr;
         held = find_held(channel, channels_[channel].next_reliable)) {
        held->in_use = false;
        dispatch(channel, held->command);
    }
}

void EnetReceiveQueue::reassemble(uint8_t channel, const EnetCommand &c) {
    if (c.fragment_number == 0) {
        if (assembling_ && assembly_channel_ != channel) {
            // One reassembly at a time: the newcomer's fragments are dropped as they come.
            ++stats_.fragments_dropped;
            return;
        }
        if (assembling_) abandon_reassembly();
        assembling_ = true;
        assembly_channel_ = channel;
        assembly_start_ = c.start_seq;
        assembly_count_ = c.fragment_count;
        assembly_total_ = c.total_length;
        assembly_received_ = 0;
    } else if (!assembling_ || assembly_channel_ != channel || assembly_start_ != c.start_seq ||
               assembly_count_ != c.fragment_count || assembly_total_ != c.total_length ||
               assembly_received_ != c.fragment_number) {
        if (assembling_ && assembly_channel_ == channel) abandon_reassembly();
        ++stats_.fragments_dropped;
        return;
    }
    if (c.data_size != 0) std::memcpy(assembly_.get() + c.fragment_offset, c.data, c.data_size);
    if (++assembly_received_ < assembly_count_) return;
    assembling_ = false;
    deliver(channel, assembly_.get(), assembly_total_);
}

void EnetReceiveQueue::abandon_reassembly() {
    stats_.fragments_dropped += assembly_received_;
    assembling_ = false;
}

void EnetReceiveQueue::deliver(uint8_t channel, const uint8_t *data, uint32_t size_bytes) {
    if (ready_count_ == ready_capacity_ || size_bytes > arena_capacity_ - arena_used_) {
        ++stats_.overflowed;
        return;
    }
    if (size_bytes != 0) std::memcpy(arena_.get() + arena_used_, data, size_bytes);
    ready_[(ready_head_ + ready_count_) % ready_capacity_] = Ready{channel, arena_used_, size_bytes};
    ++ready_count_;
    arena_used_ += size_bytes;
    ++stats_.delivered;
}

EnetReceiveQueue::Held *EnetReceiveQueue::find_held(uint8_t channel, uint16_t seq) {
    for (uint32_t i = 0; i < config_.reorder_slots; ++i) {
        Held &held = held_[i];
        if (held.in_use && held.channel == channel && held.seq == seq) return &held;
    }
    return nullptr;
}

EnetReceiveQueue::Held *EnetReceiveQueue::free_held() {
    for (uint32_t i = 0; i < config_.reorder_slots; ++i) {
        if (!held_[i].in_use) return &held_[i];
    }
    return nullptr;
}

uint8_t *EnetReceiveQueue::held_data(const Held &held) {
    return held_storage_.get() + static_cast<size_t>(&held - held_.get()) * config_.command_data_bytes;
}

}  // namespace gsc
