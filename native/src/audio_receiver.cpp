#include "audio_receiver.hpp"

#include <cstring>
#include <new>

#include "audio_fec.hpp"
#include "audio_packet.hpp"

namespace gsc {

namespace {

// Block numbers are RTP sequence numbers divided by 4: 14 bits, compared as serial numbers.
constexpr uint32_t kBlockNumberMask = 0x3fff;
constexpr uint32_t kBlockNumberHalf = 0x2000;
constexpr uint32_t kShardPositionMask = 0x3;
constexpr uint32_t kSequenceHalf = 0x8000;
constexpr uint32_t kMinWindowBlocks = 2;
// The ready queue holds what one input can release: up to a window forced out by a packet
// beyond it, then up to a whole window that becomes complete (see make_room and advance).
constexpr uint32_t kReadyBlocksPerWindowBlock = 2;
// Once a packet arrived out of order, keep waiting for late packets until this many have
// arrived in order: 2000 packets is 10 s at 5 ms. Moonlight keeps waiting for 32767 (§3.5);
// a shorter span lets a session that reordered once go back to the lowest latency.
constexpr uint32_t kPatienceSpanPackets = 2000;

enum ReadyState : uint8_t { kReceived, kRecovered, kMissing };

bool seq_before(uint16_t a, uint16_t b) { return static_cast<uint16_t>(a - b) >= kSequenceHalf; }

uint32_t block_of(uint16_t sequence) { return static_cast<uint32_t>(sequence) >> 2; }

uint32_t bit_count(uint32_t mask) {
    uint32_t count = 0;
    for (; mask != 0; mask &= mask - 1) ++count;
    return count;
}

}  // namespace

struct AudioReceiver::Block {
    uint32_t slot;  // fixed: where this block's shard bytes live
    bool in_use;
    bool given_up;    // the rest of the block goes out as is, missing packets as losses
    bool fec_failed;  // FEC cannot rebuild this block (sizes differ); do not retry
    uint8_t present;  // bit i: shard i held (0-3 data, 4-5 parity)
    uint8_t recovered;
    uint16_t sizes[kAudioFecTotalShards];
    uint64_t first_arrival_us;
};

struct AudioReceiver::ReadyEntry {
    uint16_t sequence;
    uint8_t state;
    uint32_t size_bytes;
};

AudioReceiver::AudioReceiver() = default;
AudioReceiver::~AudioReceiver() = default;

gsc_status AudioReceiver::init(const AudioReceiverConfig &config, ReedSolomon *shared_rs) {
    if (initialized_) return GSC_ERR_BAD_STATE;
    if (config.max_packet_size_bytes < kAudioMinPacketSizeBytes || config.max_packet_size_bytes > kAudioMaxPacketSizeBytes ||
        config.window_blocks < kMinWindowBlocks || config.window_blocks > kAudioMaxWindowBlocks ||
        config.reorder_wait_us > kAudioMaxReorderWaitUs || config.initial_discard_packets > kAudioMaxInitialDiscardPackets) {
        return GSC_ERR_BAD_ARGUMENT;
    }
    const gsc_status status = decoder_.init(config.layout, config.samples_per_packet);
    if (status != GSC_OK) return status;

    const uint32_t window = config.window_blocks;
    shard_capacity_bytes_ = config.max_packet_size_bytes - kAudioRtpHeaderBytes;
    ready_capacity_ = window * kReadyBlocksPerWindowBlock * kAudioFecDataShards;
    blocks_.reset(new (std::nothrow) Block[window]());
    shard_storage_.reset(new (std::nothrow) uint8_t[window * kAudioFecTotalShards * shard_capacity_bytes_]);
    ready_.reset(new (std::nothrow) ReadyEntry[ready_capacity_]());
    ready_storage_.reset(new (std::nothrow) uint8_t[ready_capacity_ * shard_capacity_bytes_]);
    if (!blocks_ || !shard_storage_ || !ready_ || !ready_storage_) return GSC_ERR_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < window; ++i) blocks_[i].slot = i;
    if (shared_rs == nullptr) {
        own_rs_.reset(new (std::nothrow) ReedSolomon);
        if (!own_rs_) return GSC_ERR_OUT_OF_MEMORY;
        own_rs_->init();
        shared_rs = own_rs_.get();
    }
    rs_ = shared_rs;

    config_ = config;
    decryptor_.init(config.key, config.rikeyid);
    initialized_ = true;
    return GSC_OK;
}

void AudioReceiver::receive(const uint8_t *datagram, size_t size_bytes, uint64_t now_us) {
    if (!initialized_) return;
    stats_.datagrams++;
    if (now_us > now_us_) now_us_ = now_us;
    AudioPacket packet{};
    if (datagram == nullptr || size_bytes > config_.max_packet_size_bytes ||
        parse_audio_packet(datagram, size_bytes, packet) != AudioParseError::kNone) {
        stats_.malformed++;
        return;
    }
    uint32_t block_number = 0;
    uint32_t shard = 0;
    if (!place(packet, block_number, shard)) return;
    uint32_t distance = (block_number - block_of(next_seq_)) & kBlockNumberMask;
    if (distance >= config_.window_blocks) {
        make_room(distance);
        distance = (block_number - block_of(next_seq_)) & kBlockNumberMask;
    }
    store(distance, shard, packet.payload, packet.payload_size_bytes);
    advance();
}

void AudioReceiver::handle_timeout(uint64_t now_us) {
    if (!initialized_) return;
    if (now_us > now_us_) now_us_ = now_us;
    if (now_us_ >= deadline_us_) advance();
}

bool AudioReceiver::poll_frame(AudioFrame &out) {
    if (!initialized_ || ready_count_ == 0) return false;
    const ReadyEntry &entry = ready_[ready_head_];
    uint8_t *bytes = ready_storage_.get() + static_cast<size_t>(ready_head_) * shard_capacity_bytes_;
    ready_head_ = (ready_head_ + 1) % ready_capacity_;
    ready_count_--;

    AudioFrame frame{};
    frame.sequence = entry.sequence;
    frame.recovered = entry.state == kRecovered;
    frame.channels = decoder_.channels();
    size_t opus_size = 0;
    if (entry.state != kMissing) {
        if (!config_.encrypted) {
            opus_size = entry.size_bytes;
        } else if (decryptor_.decrypt(entry.sequence, bytes, entry.size_bytes, bytes, opus_size) !=
                       AudioDecryptError::kNone ||
                   opus_size == 0) {
            stats_.decrypt_failures++;
            opus_size = 0;
        }
    }
    if (opus_size != 0) {
        frame.opus = bytes;
        frame.opus_size_bytes = static_cast<uint32_t>(opus_size);
    }
    if (config_.decode_pcm) {
        uint32_t samples = 0;
        if (frame.opus != nullptr) {
            samples = decoder_.decode(frame.opus, opus_size);
            if (samples == 0) stats_.decode_failures++;
        }
        if (samples == 0) {
            samples = decoder_.conceal();
            frame.concealed = true;
        }
        frame.pcm = decoder_.pcm();
        frame.samples_per_channel = samples;
    } else {
        frame.concealed = frame.opus == nullptr;
        frame.samples_per_channel = config_.samples_per_packet;
    }
    if (frame.concealed) stats_.concealed++;
    stats_.frames++;
    out = frame;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Window and ordering

// Finds the block and shard of a well-formed packet, counts it, and says whether it still
// belongs in the window (false: dropped and counted).
bool AudioReceiver::place(const AudioPacket &packet, uint32_t &block_number, uint32_t &shard) {
    if (packet.kind == AudioPacketKind::kFec) {
        stats_.fec_packets++;
        // Blocks are aligned on multiples of 4 (§3.3); a parity shard of an unaligned block,
        // or one before any data placed the window, has nothing to protect here. Nor has one
        // whose block is finished and gone.
        block_number = block_of(packet.fec_base_sequence);
        shard = kAudioFecDataShards + packet.fec_shard_index;
        if (!synced_ || (packet.fec_base_sequence & kShardPositionMask) != 0 ||
            ((block_number - block_of(next_seq_)) & kBlockNumberMask) >= kBlockNumberHalf) {
            stats_.fec_unused++;
            return false;
        }
        return true;
    }
    stats_.data_packets++;
    if (!synced_) {
        synced_ = true;
        next_seq_ = static_cast<uint16_t>(packet.sequence + config_.initial_discard_packets);
        discarding_ = config_.initial_discard_packets > 0;
        highest_seq_ = packet.sequence;
    }
    note_order(packet.sequence);
    block_number = block_of(packet.sequence);
    shard = packet.sequence & kShardPositionMask;
    if (!seq_before(packet.sequence, next_seq_)) return true;
    // Its place in the output is taken. If its block is still open, keep the shard, which may
    // rebuild a later packet of the block.
    const bool block_open = ((block_number - block_of(next_seq_)) & kBlockNumberMask) < kBlockNumberHalf;
    if (block_open && (block_at(0).present & (1u << shard))) {
        stats_.duplicates++;
        return false;
    }
    if (discarding_) {
        stats_.discarded++;
    } else {
        stats_.late++;
    }
    return block_open;
}

void AudioReceiver::note_order(uint16_t sequence) {
    if (seq_before(sequence, highest_seq_)) {
        reorder_seen_ = true;
        packets_since_reorder_ = 0;
        return;
    }
    highest_seq_ = sequence;
    if (packets_since_reorder_ < kPatienceSpanPackets) packets_since_reorder_++;
}

void AudioReceiver::store(uint32_t distance_blocks, uint32_t shard, const uint8_t *payload, size_t size_bytes) {
    Block &block = block_at(distance_blocks);
    const uint8_t bit = static_cast<uint8_t>(1u << shard);
    if (block.present & bit) {
        stats_.duplicates++;
        return;
    }
    // Cannot fail: init sized shards for max_packet_size_bytes less the RTP header, and
    // receive() refused longer datagrams. Checked anyway, as a drop, not an overrun.
    if (size_bytes > shard_capacity_bytes_) {
        stats_.malformed++;
        return;
    }
    if (!block.in_use) {
        block.in_use = true;
        block.first_arrival_us = now_us_;
    }
    std::memcpy(shard_bytes(block, shard), payload, size_bytes);
    block.sizes[shard] = static_cast<uint16_t>(size_bytes);
    block.present |= bit;
    if (distance_blocks > newest_distance_) newest_distance_ = distance_blocks;
}

// A packet `distance_blocks` ahead of the output does not fit the window: force the oldest
// blocks out until it does. Two windows ahead or more, the host restarted its numbering (or
// lost seconds of audio): output what is held, then continue from the new block without
// concealing the gap, which could be up to 16383 blocks.
void AudioReceiver::make_room(uint32_t distance_blocks) {
    const uint32_t window = config_.window_blocks;
    if (distance_blocks < kReadyBlocksPerWindowBlock * window) {
        for (; distance_blocks >= window; --distance_blocks) release_head(true);
        return;
    }
    const uint32_t target_block = (block_of(next_seq_) + distance_blocks) & kBlockNumberMask;
    while (newest_distance_ > 0 || block_at(0).in_use) release_head(true);
    const uint16_t restart_seq = static_cast<uint16_t>(target_block << 2);
    stats_.skipped += static_cast<uint16_t>(restart_seq - next_seq_);
    next_seq_ = restart_seq;
}

void AudioReceiver::advance() {
    deadline_us_ = UINT64_MAX;
    while (release_head(false)) {
    }
}

// Outputs the head block's packets from next_seq on, in order, while each is present, can be
// rebuilt, or may be given up (always when `force`). Returns true when the whole block went
// out and the window moved on by one block.
bool AudioReceiver::release_head(bool force) {
    Block &head = block_at(0);
    if (!force && !head.in_use && newest_distance_ == 0) return false;
    for (uint32_t position = next_seq_ & kShardPositionMask;; ++position) {
        const uint8_t bit = static_cast<uint8_t>(1u << position);
        if (!(head.present & bit) && !head.given_up && !try_recover(head)) {
            if (!force && !may_give_up()) return false;
            head.given_up = true;
        }
        emit(head, position);
        next_seq_++;
        if (position == kAudioFecDataShards - 1) break;
    }
    retire_head();
    return true;
}

bool AudioReceiver::try_recover(Block &block) {
    if (block.fec_failed || bit_count(block.present) < kAudioFecDataShards) return false;
    uint32_t shard_size = 0;
    for (uint32_t i = 0; i < kAudioFecTotalShards; ++i) {
        if (!(block.present & (1u << i))) continue;
        if (shard_size == 0) shard_size = block.sizes[i];
        if (block.sizes[i] != shard_size) {
            // CBR makes every shard one size (§3.3); a block that breaks this cannot be rebuilt.
            stats_.fec_size_mismatch++;
            block.fec_failed = true;
            return false;
        }
    }
    uint8_t *shards[kAudioFecTotalShards];
    for (uint32_t i = 0; i < kAudioFecTotalShards; ++i) shards[i] = shard_bytes(block, i);
    if (!audio_fec_recover(*rs_, shards, block.present, shard_size)) {
        block.fec_failed = true;
        return false;
    }
    for (uint32_t i = 0; i < kAudioFecDataShards; ++i) {
        const uint8_t bit = static_cast<uint8_t>(1u << i);
        if (block.present & bit) continue;
        block.present |= bit;
        block.recovered |= bit;
        block.sizes[i] = static_cast<uint16_t>(shard_size);
        stats_.recovered++;
    }
    return true;
}

// The head's next packet is missing and cannot be rebuilt yet. Give up only on evidence that
// the stream went on without it: a packet of a later block. With reordering seen, that
// packet must also have waited reorder_wait_us; until then the deadline is armed.
bool AudioReceiver::may_give_up() {
    if (newest_distance_ == 0) return false;
    if (!patient()) return true;
    uint64_t later_since_us = UINT64_MAX;
    for (uint32_t d = 1; d <= newest_distance_; ++d) {
        const Block &block = block_at(d);
        if (block.in_use && block.first_arrival_us < later_since_us) later_since_us = block.first_arrival_us;
    }
    const uint64_t deadline_us = later_since_us + config_.reorder_wait_us;
    if (now_us_ >= deadline_us) return true;
    deadline_us_ = deadline_us;
    return false;
}

void AudioReceiver::emit(const Block &block, uint32_t shard) {
    if (ready_count_ == ready_capacity_) {
        ready_head_ = (ready_head_ + 1) % ready_capacity_;
        ready_count_--;
        stats_.overflowed++;
    }
    const uint32_t index = (ready_head_ + ready_count_) % ready_capacity_;
    ready_count_++;
    discarding_ = false;
    ReadyEntry &entry = ready_[index];
    entry.sequence = next_seq_;
    const uint8_t bit = static_cast<uint8_t>(1u << shard);
    if (!(block.present & bit)) {
        entry.state = kMissing;
        entry.size_bytes = 0;
        stats_.lost++;
        return;
    }
    entry.state = (block.recovered & bit) ? kRecovered : kReceived;
    entry.size_bytes = block.sizes[shard];
    std::memcpy(ready_storage_.get() + static_cast<size_t>(index) * shard_capacity_bytes_,
                shard_bytes(block, shard), entry.size_bytes);
}

void AudioReceiver::retire_head() {
    Block &head = block_at(0);
    const uint32_t slot = head.slot;
    head = Block{};
    head.slot = slot;
    head_slot_ = (head_slot_ + 1) % config_.window_blocks;
    if (newest_distance_ > 0) newest_distance_--;
}

AudioReceiver::Block &AudioReceiver::block_at(uint32_t distance_blocks) {
    return blocks_[(head_slot_ + distance_blocks) % config_.window_blocks];
}

uint8_t *AudioReceiver::shard_bytes(const Block &block, uint32_t shard) {
    const size_t index = static_cast<size_t>(block.slot) * kAudioFecTotalShards + shard;
    return shard_storage_.get() + index * shard_capacity_bytes_;
}

bool AudioReceiver::patient() const { return reorder_seen_ && packets_since_reorder_ < kPatienceSpanPackets; }

}  // namespace gsc
