// Contract and theory of operation in video_fec_queue.hpp.
#include "video_fec_queue.hpp"

#include <cstring>
#include <new>

namespace gsc {

namespace {

// Block shard-table entries that are not slot ids.
constexpr uint16_t kShardAbsent = 0xFFFF;
// Received but not kept: parity of a block that completed.
constexpr uint16_t kShardReleased = 0xFFFE;

// Flag bits a data packet may carry, and the checks the reference client applies to a rebuilt
// data shard (data-plane.md §2.5): picture data always, start of block on the first shard, end
// of block on the last one, nothing else.
constexpr uint8_t kKnownFlagBits = kVideoFlagPictureData | kVideoFlagEndOfBlock | kVideoFlagStartOfBlock;
// Offset of `flags` in the NV header (data-plane.md §2.1).
constexpr uint32_t kNvFlagsOffset = 8;

// Sequence numbers are widened to 64 bits from this start, so that early reordering never
// makes them negative.
constexpr int64_t kSequenceOrigin = int64_t{1} << 32;

enum class BlockState : uint8_t { kUnseen, kCollecting, kComplete };
enum class FrameState : uint8_t { kEmpty, kCollecting, kComplete, kLost };

template <typename T>
std::unique_ptr<T[]> allocate(size_t count) {
    return std::unique_ptr<T[]>(new (std::nothrow) T[count]);
}

}  // namespace

struct VideoFecQueue::Block {
    // Shard index -> slot id (or kShardAbsent / kShardReleased): this block's row of the table.
    uint16_t *ids;
    // Widened sequence number of shard 0.
    int64_t first_sequence;
    uint16_t data_shards;
    uint16_t parity_shards;
    uint16_t received_data;
    uint16_t received_parity;
    uint8_t fec_percentage;
    BlockState state;
    // Parity exists and the Cauchy code can use it (k + m <= 255).
    bool fec_usable;
    // Parity shards held (fec_usable blocks only) have every held data shard's contribution
    // XORed out as they arrive (ReedSolomon::solve_reduced_cauchy), so that the shard that
    // makes the block recoverable leaves only a small square solve to do.
    uint8_t reduced_parity_rows[ReedSolomon::kMaxShards];
    uint16_t reduced_parity;
};

struct VideoFecQueue::Frame {
    uint32_t frame_index;
    FrameState state;
    uint8_t last_block_index;
    uint8_t blocks_complete;
    // This entry's part of the shard table: max_blocks_per_frame rows of max_shards_per_block.
    uint16_t *shard_table;
    // Every datagram of a frame has the same size and header layout (Sunshine sends all
    // shards at full size, data-plane.md §2.1, §9); a packet that differs is malformed.
    uint32_t datagram_bytes;
    uint32_t nv_header_offset;
    uint32_t payload_offset;
    uint32_t rtp_timestamp;
    uint64_t first_packet_us;
    Block blocks[kMaxBlocksPerFrameField];
};

VideoFecQueue::VideoFecQueue() = default;
VideoFecQueue::~VideoFecQueue() = default;

VideoConfigError VideoFecQueue::init(const VideoFecConfig &config, VideoCounters *counters) {
    const uint32_t min_datagram = kRtpHeaderBytes + kRtpExtensionBytes + kNvVideoHeaderBytes + 1;
    if (config.max_datagram_bytes < min_datagram || config.max_datagram_bytes > kMaxVideoDatagramBytes) {
        return VideoConfigError::kBadDatagramSize;
    }
    if (config.max_shards_per_block < 1 || config.max_shards_per_block > kMaxShardsPerBlockField) {
        return VideoConfigError::kBadShardsPerBlock;
    }
    if (config.max_blocks_per_frame < 1 || config.max_blocks_per_frame > kMaxBlocksPerFrameField) {
        return VideoConfigError::kBadBlocksPerFrame;
    }
    if (config.max_frames_in_flight < 1 || config.max_frames_in_flight > kMaxFramesInFlight) {
        return VideoConfigError::kBadFramesInFlight;
    }
    const uint64_t min_held = uint64_t{config.max_blocks_per_frame + 1} * config.max_shards_per_block;
    if (config.max_held_packets < min_held || config.max_held_packets > kMaxHeldPackets) {
        return VideoConfigError::kBadHeldPackets;
    }
    if (config.reorder_tolerance_packets > kMaxReorderTolerance) return VideoConfigError::kBadReorderTolerance;

    config_ = config;
    counters_ = counters;
    // One slot more than may be held: a free slot is always there for receive_buffer().
    const uint32_t slot_count = config.max_held_packets + 1;
    slot_stride_ = (size_t{config.max_datagram_bytes} + 15) / 16 * 16;
    slots_ = allocate<uint8_t>(slot_stride_ * slot_count);
    free_ = allocate<uint16_t>(slot_count);
    frames_ = allocate<Frame>(config.max_frames_in_flight);
    slot_table_ = allocate<uint16_t>(size_t{config.max_frames_in_flight} * config.max_blocks_per_frame *
                                     config.max_shards_per_block);
    rs_.reset(new (std::nothrow) ReedSolomon);
    if (!slots_ || !free_ || !frames_ || !slot_table_ || !rs_) return VideoConfigError::kOutOfMemory;
    rs_->init();
    // Lowest ids on top, so a short session touches only the first slots.
    for (uint32_t i = 0; i < slot_count; i++) free_[i] = static_cast<uint16_t>(slot_count - 1 - i);
    free_count_ = slot_count;
    for (uint32_t i = 0; i < config.max_frames_in_flight; i++) {
        frames_[i] = Frame{};
        frames_[i].shard_table =
            slot_table_.get() + size_t{i} * config.max_blocks_per_frame * config.max_shards_per_block;
        for (uint32_t b = 0; b < kMaxBlocksPerFrameField; b++) {
            frames_[i].blocks[b].ids = frames_[i].shard_table + size_t{b % config.max_blocks_per_frame} * config.max_shards_per_block;
        }
    }
    base_ = config.first_frame_index;
    tolerance_ = config.reorder_tolerance_packets;
    return VideoConfigError::kNone;
}

void VideoFecQueue::receive(const uint8_t *datagram, size_t size_bytes, uint64_t now_us, bool in_place) {
    receive_packet(datagram, size_bytes, now_us, in_place);
    pop_lost_head();
    refresh_head();
}

void VideoFecQueue::receive_packet(const uint8_t *datagram, size_t size_bytes, uint64_t now_us, bool in_place) {
    counters_->packets_received++;
    VideoPacket packet;
    if (size_bytes > config_.max_datagram_bytes || parse_video_packet(datagram, size_bytes, packet) != VideoPacketError::kNone ||
        size_bytes <= packet.payload_offset) {
        counters_->packets_malformed++;
        return;
    }
    const int64_t sequence = extend_sequence(packet.sequence);
    const int32_t distance = static_cast<int32_t>(packet.frame_index - base_);
    if (distance < 0) {
        // Parity of a frame already handed out is the normal tail of a loss-free block; a data
        // packet here came too late (or twice).
        if (packet.shard_index >= packet.data_shards) {
            counters_->packets_unneeded++;
        } else {
            counters_->packets_late++;
        }
        note_sequence(sequence);
        return;
    }
    if (static_cast<uint32_t>(distance) >= kMaxFrameIndexJump) {
        counters_->packets_malformed++;
        return;
    }
    if (static_cast<uint32_t>(distance) >= config_.max_frames_in_flight) advance_window(packet.frame_index);
    const uint32_t position = packet.frame_index - base_;
    Frame &frame = frame_at(position);

    if (frame.state == FrameState::kLost) {
        counters_->packets_late++;
        return;
    }
    if (frame.state == FrameState::kEmpty) {
        frame.frame_index = packet.frame_index;
        frame.state = FrameState::kCollecting;
        frame.last_block_index = packet.last_block_index;
        frame.blocks_complete = 0;
        frame.datagram_bytes = static_cast<uint32_t>(size_bytes);
        frame.nv_header_offset = packet.nv_header_offset;
        frame.payload_offset = packet.payload_offset;
        frame.rtp_timestamp = packet.rtp_timestamp();
        frame.first_packet_us = now_us;
        if (position + 1 > open_frames_) open_frames_ = position + 1;
        if (packet.last_block_index >= config_.max_blocks_per_frame) {
            counters_->frames_oversize++;
            lose(frame);
            return;
        }
    } else if (frame.datagram_bytes != size_bytes || frame.payload_offset != packet.payload_offset ||
               frame.last_block_index != packet.last_block_index) {
        counters_->packets_malformed++;
        return;
    }

    Block &block = frame.blocks[packet.block_index];
    uint16_t *ids = block_slots(frame, packet.block_index);
    const int64_t first_sequence = sequence - packet.shard_index;
    if (block.state == BlockState::kUnseen) {
        const uint32_t shards = uint32_t{packet.data_shards} + packet.parity_shards;
        if (shards > config_.max_shards_per_block) {
            counters_->frames_oversize++;
            lose(frame);
            return;
        }
        block.first_sequence = first_sequence;
        block.data_shards = packet.data_shards;
        block.parity_shards = packet.parity_shards;
        block.fec_percentage = packet.fec_percentage;
        block.received_data = 0;
        block.received_parity = 0;
        block.reduced_parity = 0;
        block.fec_usable = packet.parity_shards > 0 && shards <= ReedSolomon::kMaxShards;
        block.state = BlockState::kCollecting;
        for (uint32_t i = 0; i < shards; i++) ids[i] = kShardAbsent;
    } else if (block.first_sequence != first_sequence || block.data_shards != packet.data_shards ||
               block.fec_percentage != packet.fec_percentage) {
        counters_->packets_malformed++;
        return;
    }

    const bool advanced = !have_sequence_ || sequence > highest_sequence_;
    if (block.state == BlockState::kComplete) {
        if (ids[packet.shard_index] != kShardAbsent) {
            counters_->packets_duplicate++;
        } else {
            counters_->packets_unneeded++;
        }
    } else if (ids[packet.shard_index] != kShardAbsent) {
        counters_->packets_duplicate++;
    } else if (packet.shard_index >= block.data_shards && !block.fec_usable) {
        counters_->packets_unneeded++;
    } else if (store(frame, block, packet, datagram, size_bytes, in_place)) {
        if (!advanced) {
            const int64_t displacement = highest_sequence_ - sequence;
            if (displacement > tolerance_) {
                tolerance_ = displacement > kMaxReorderTolerance ? kMaxReorderTolerance : static_cast<uint32_t>(displacement);
            }
        }
        if (packet.block_index == 0 && packet.shard_index == 0) {
            frame.rtp_timestamp = packet.rtp_timestamp();
        }
        if (block.received_data == block.data_shards) {
            complete_block(frame, block);
        } else if (block.fec_usable) {
            if (packet.shard_index >= block.data_shards) {
                reduce_parity(frame, block, packet.shard_index - block.data_shards);
            } else {
                fold_data(frame, block, packet.shard_index);
            }
            if (block.received_data + block.received_parity >= block.data_shards) recover_block(frame, block);
        }
    }
    note_sequence(sequence);
}

bool VideoFecQueue::take_lost(uint32_t &first_frame, uint32_t &last_frame) {
    if (!have_lost_) return false;
    first_frame = lost_first_;
    last_frame = lost_last_;
    have_lost_ = false;
    return true;
}

bool VideoFecQueue::head_complete(FecFrameInfo &out) const {
    if (open_frames_ == 0) return false;
    const Frame &head = frame_at(0);
    if (head.state != FrameState::kComplete) return false;
    uint32_t shards = 0;
    for (uint32_t b = 0; b <= head.last_block_index; b++) shards += head.blocks[b].data_shards;
    out.frame_index = head.frame_index;
    out.data_shards = shards;
    out.payload_bytes = head.datagram_bytes - head.payload_offset;
    out.first_payload = slot(block_slots(head, 0)[0]) + head.payload_offset;
    out.rtp_timestamp = head.rtp_timestamp;
    out.first_packet_us = head.first_packet_us;
    return true;
}

void VideoFecQueue::copy_head_payload(uint8_t *out, size_t skip_bytes, size_t size_bytes) const {
    const Frame &head = frame_at(0);
    const size_t payload = head.datagram_bytes - head.payload_offset;
    const size_t end = skip_bytes + size_bytes;
    size_t offset = 0;
    for (uint32_t b = 0; b <= head.last_block_index && offset < end; b++) {
        const uint16_t *ids = block_slots(head, b);
        const uint32_t count = head.blocks[b].data_shards;
        for (uint32_t i = 0; i < count && offset < end; i++, offset += payload) {
            if (offset + payload <= skip_bytes) continue;
            const size_t from = skip_bytes > offset ? skip_bytes - offset : 0;
            const size_t to = end - offset < payload ? end - offset : payload;
            std::memcpy(out, slot(ids[i]) + head.payload_offset + from, to - from);
            out += to - from;
        }
    }
}

void VideoFecQueue::release_head() {
    if (open_frames_ == 0) return;
    Frame &head = frame_at(0);
    free_frame_slots(head);
    reset_frame(head);
    base_++;
    base_position_ = base_position_ + 1 == config_.max_frames_in_flight ? 0 : base_position_ + 1;
    open_frames_--;
    pop_lost_head();
    refresh_head();
}

VideoFecQueue::Frame &VideoFecQueue::frame_at(uint32_t distance) const {
    uint32_t position = base_position_ + distance;
    if (position >= config_.max_frames_in_flight) position -= config_.max_frames_in_flight;
    return frames_[position];
}

uint16_t *VideoFecQueue::block_slots(const Frame &frame, uint32_t block) const { return frame.blocks[block].ids; }

bool VideoFecQueue::store(Frame &frame, Block &block, const VideoPacket &packet, const uint8_t *datagram,
                          size_t size_bytes, bool in_place) {
    uint16_t id = 0;
    if (in_place) {
        // The datagram already sits in the top free slot: take it, then restore the spare.
        id = free_[--free_count_];
        if (free_count_ == 0 && !ensure_free(1, frame)) {
            free_[free_count_++] = id;
            lose(frame);
            return false;
        }
    } else {
        if (!ensure_free(2, frame)) {
            lose(frame);
            return false;
        }
        id = free_[--free_count_];
        std::memcpy(slot(id), datagram, size_bytes);
    }
    block_slots(frame, packet.block_index)[packet.shard_index] = id;
    if (packet.shard_index < block.data_shards) {
        block.received_data++;
        counters_->data_packets_stored++;
    } else {
        block.received_parity++;
        counters_->parity_packets_stored++;
    }
    return true;
}

bool VideoFecQueue::ensure_free(uint32_t needed, const Frame &keep) {
    while (free_count_ < needed) {
        if (!evict_oldest_except(keep)) return false;
    }
    return true;
}

// Pool exhausted: the oldest other frame holding slots gives way, so that the frames closest
// to delivery are the ones that survive.
bool VideoFecQueue::evict_oldest_except(const Frame &keep) {
    for (uint32_t d = 0; d < open_frames_; d++) {
        Frame &frame = frame_at(d);
        if (&frame == &keep) continue;
        if (frame.state == FrameState::kCollecting || frame.state == FrameState::kComplete) {
            lose(frame);
            return true;
        }
    }
    return false;
}

void VideoFecQueue::complete_block(Frame &frame, Block &block) {
    uint16_t *ids = block_slots(frame, static_cast<uint32_t>(&block - frame.blocks));
    const uint32_t shards = uint32_t{block.data_shards} + block.parity_shards;
    for (uint32_t i = block.data_shards; i < shards; i++) {
        if (ids[i] == kShardAbsent || ids[i] == kShardReleased) continue;
        free_[free_count_++] = ids[i];
        ids[i] = kShardReleased;
    }
    block.state = BlockState::kComplete;
    frame.blocks_complete++;
    if (frame.blocks_complete == uint32_t{frame.last_block_index} + 1) frame.state = FrameState::kComplete;
}

// The region FEC covers: from the NV header to the end of the datagram (data-plane.md §2.5).
void VideoFecQueue::reduce_parity(Frame &frame, Block &block, uint32_t row) {
    const uint16_t *ids = block_slots(frame, static_cast<uint32_t>(&block - frame.blocks));
    const uint32_t k = block.data_shards;
    const size_t offset = frame.nv_header_offset;
    const size_t size = frame.datagram_bytes - offset;
    uint8_t *parity = slot(ids[k + row]) + offset;
    for (uint32_t i = 0; i < k; i++) {
        if (ids[i] == kShardAbsent) continue;
        rs_->multiply_add(parity, slot(ids[i]) + offset, size, rs_->cauchy(block.parity_shards, row, i));
    }
    block.reduced_parity_rows[block.reduced_parity++] = static_cast<uint8_t>(row);
}

// A data shard arriving after some parity (reordering) joins the parity already reduced.
void VideoFecQueue::fold_data(Frame &frame, Block &block, uint32_t index) {
    if (block.reduced_parity == 0) return;
    const uint16_t *ids = block_slots(frame, static_cast<uint32_t>(&block - frame.blocks));
    const size_t offset = frame.nv_header_offset;
    const size_t size = frame.datagram_bytes - offset;
    const uint8_t *data = slot(ids[index]) + offset;
    for (uint32_t r = 0; r < block.reduced_parity; r++) {
        const uint32_t row = block.reduced_parity_rows[r];
        rs_->multiply_add(slot(ids[block.data_shards + row]) + offset, data, size, rs_->cauchy(block.parity_shards, row, index));
    }
}

bool VideoFecQueue::recover_block(Frame &frame, Block &block) {
    const uint32_t k = block.data_shards;
    const uint32_t missing = k - block.received_data;
    if (!ensure_free(missing + 1, frame)) {
        lose(frame);
        return false;
    }
    uint16_t *ids = block_slots(frame, static_cast<uint32_t>(&block - frame.blocks));
    // fec_usable bounds k + m by ReedSolomon::kMaxShards, and missing <= received parity.
    uint8_t lost[ReedSolomon::kMaxShards];
    uint8_t *out[ReedSolomon::kMaxShards];
    const uint8_t *reduced[ReedSolomon::kMaxShards];
    uint32_t count = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (ids[i] != kShardAbsent) continue;
        ids[i] = free_[--free_count_];
        lost[count] = static_cast<uint8_t>(i);
        out[count++] = slot(ids[i]);
    }
    for (uint32_t r = 0; r < count; r++) reduced[r] = slot(ids[k + block.reduced_parity_rows[r]]);
    const uint32_t offset = frame.nv_header_offset;
    size_t rebuild_bytes[ReedSolomon::kMaxShards];
    const bool trimmed = last_shard_rebuild_bytes(frame, block, lost, out, reduced, count, rebuild_bytes);
    if (!rs_->solve_reduced_cauchy(block.parity_shards, count, lost, block.reduced_parity_rows, reduced, out, offset,
                                   frame.datagram_bytes - offset, trimmed ? rebuild_bytes : nullptr)) {
        counters_->fec_recovery_rejected++;
        lose(frame);
        return false;
    }
    for (uint32_t c = 0; c < count; c++) {
        const uint32_t i = lost[c];
        const uint8_t flags = out[c][offset + kNvFlagsOffset];
        const bool ok = (flags & ~kKnownFlagBits) == 0 && (flags & kVideoFlagPictureData) != 0 &&
                        (i != 0 || (flags & kVideoFlagStartOfBlock) != 0) &&
                        (i + 1 != k || (flags & kVideoFlagEndOfBlock) != 0);
        if (!ok) {
            counters_->fec_recovery_rejected++;
            lose(frame);
            return false;
        }
    }
    block.received_data = static_cast<uint16_t>(k);
    counters_->fec_blocks_recovered++;
    counters_->fec_shards_recovered += missing;
    complete_block(frame, block);
    return true;
}

void VideoFecQueue::note_sequence(int64_t sequence) {
    if (have_sequence_ && sequence <= highest_sequence_) return;
    if (!have_sequence_ || sequence != highest_sequence_ + 1) gaps_ = true;
    highest_sequence_ = sequence;
    have_sequence_ = true;
    if (gaps_) detect_losses();
}

// When the frame's final data shard is among those to rebuild, finds how much of it matters
// (the region from the NV header to the end of the bitstream) and fills rebuild_bytes (indexed
// like `lost`): full size for every other shard. Returns false (rebuild everything) when that
// is not known.
bool VideoFecQueue::last_shard_rebuild_bytes(const Frame &frame, const Block &block, const uint8_t *lost,
                                             uint8_t *const *out, const uint8_t *const *reduced, uint32_t count,
                                             size_t *rebuild_bytes) {
    const uint32_t k = block.data_shards;
    const uint32_t block_index = static_cast<uint32_t>(&block - frame.blocks);
    if (!config_.rebuild_only_last_payload || block_index != frame.last_block_index || count == 0 ||
        lost[count - 1] != k - 1) {
        return false;
    }
    const uint32_t payload_bytes = frame.datagram_bytes - frame.payload_offset;
    if (payload_bytes < kFrameHeaderShortBytes) return false;
    // The frame header is in shard 0 of block 0: received, rebuilt earlier, or (same block) to
    // be rebuilt now, in which case its few byte columns are solved first.
    const uint8_t *first = nullptr;
    if (block_index == 0) {
        if (lost[0] == 0) {
            if (!rs_->solve_reduced_cauchy(block.parity_shards, count, lost, block.reduced_parity_rows, reduced, out,
                                           frame.payload_offset, kFrameHeaderShortBytes, nullptr)) {
                return false;
            }
            first = out[0] + frame.payload_offset;
        } else {
            first = slot(block_slots(frame, 0)[0]) + frame.payload_offset;
        }
    } else if (frame.blocks[0].state == BlockState::kComplete) {
        first = slot(block_slots(frame, 0)[0]) + frame.payload_offset;
    } else {
        return false;
    }
    const uint32_t last_payload = short_header_last_payload_bytes(first, payload_bytes);
    if (last_payload == 0) return false;
    const size_t full = frame.datagram_bytes - frame.nv_header_offset;
    for (uint32_t c = 0; c + 1 < count; c++) rebuild_bytes[c] = full;
    rebuild_bytes[count - 1] = frame.payload_offset - frame.nv_header_offset + last_payload;
    return true;
}

// Declares lost every open frame that can no longer complete, and clears gaps_ when nothing at
// all is missing. Walks from the newest frame down, carrying `upper`: the first sequence number
// of the nearest later block seen, below which every shard of an earlier unseen block lies.
void VideoFecQueue::detect_losses() {
    const int64_t threshold = highest_sequence_ - tolerance_;
    int64_t upper = INT64_MAX;
    bool missing = false;
    for (uint32_t d = open_frames_; d-- > 0;) {
        Frame &frame = frame_at(d);
        if (frame.state == FrameState::kEmpty) {
            if (upper - 1 <= highest_sequence_) missing = true;
            if (upper - 1 <= threshold) lose(frame);
            continue;
        }
        if (frame.state == FrameState::kLost) continue;
        bool hopeless = false;
        for (uint32_t b = frame.last_block_index + 1; b-- > 0;) {
            const Block &block = frame.blocks[b];
            if (block.state == BlockState::kUnseen) {
                if (upper - 1 <= highest_sequence_) missing = true;
                if (upper - 1 <= threshold) hopeless = true;
                continue;
            }
            if (block.state == BlockState::kCollecting) {
                const int64_t spare = block.fec_usable ? block.parity_shards : 0;
                if (given_up_shards(frame, block, threshold, missing) > spare) hopeless = true;
            }
            upper = block.first_sequence;
        }
        if (hopeless) lose(frame);
    }
    if (!missing) gaps_ = false;
}

// Shards of a collecting block at or below `threshold` that have not arrived, and will not any
// more; sets `missing` when any shard up to the highest sequence number is absent.
int64_t VideoFecQueue::given_up_shards(const Frame &frame, const Block &block, int64_t threshold, bool &missing) const {
    // Parity that cannot be used does not count: without FEC only the data shards matter.
    const int64_t span = block.fec_usable ? int64_t{block.data_shards} + block.parity_shards : block.data_shards;
    const int64_t received = int64_t{block.received_data} + (block.fec_usable ? block.received_parity : 0);
    int64_t up_to_highest = highest_sequence_ - block.first_sequence + 1;
    if (up_to_highest > span) up_to_highest = span;
    if (up_to_highest > received) missing = true;
    int64_t at_or_below = threshold - block.first_sequence + 1;
    if (at_or_below <= 0) return 0;
    if (at_or_below > span) at_or_below = span;
    // Shards above the threshold lie between it and the highest sequence number seen, so this
    // scan covers at most `tolerance_` positions.
    int64_t received_above = 0;
    const uint16_t *ids = block_slots(frame, static_cast<uint32_t>(&block - frame.blocks));
    for (int64_t i = at_or_below; i < up_to_highest; i++) {
        if (ids[i] != kShardAbsent) received_above++;
    }
    return at_or_below - (received - received_above);
}

void VideoFecQueue::lose(Frame &frame) {
    free_frame_slots(frame);
    frame.state = FrameState::kLost;
    counters_->frames_lost++;
    lost_open_++;
}

void VideoFecQueue::free_frame_slots(Frame &frame) {
    if (frame.state != FrameState::kCollecting && frame.state != FrameState::kComplete) return;
    for (uint32_t b = 0; b <= frame.last_block_index; b++) {
        Block &block = frame.blocks[b];
        if (block.state == BlockState::kUnseen) continue;
        uint16_t *ids = block_slots(frame, b);
        const uint32_t shards = uint32_t{block.data_shards} + block.parity_shards;
        for (uint32_t i = 0; i < shards; i++) {
            if (ids[i] == kShardAbsent || ids[i] == kShardReleased) continue;
            free_[free_count_++] = ids[i];
            ids[i] = kShardReleased;
        }
    }
}

void VideoFecQueue::refresh_head() {
    head_ready_ = open_frames_ > 0 && frame_at(0).state == FrameState::kComplete;
}

void VideoFecQueue::reset_frame(Frame &frame) {
    frame.state = FrameState::kEmpty;
    for (Block &block : frame.blocks) block.state = BlockState::kUnseen;
}

void VideoFecQueue::pop_lost_head() {
    if (lost_open_ == 0) return;
    while (open_frames_ > 0 && frame_at(0).state == FrameState::kLost) {
        lost_open_--;
        if (!have_lost_) lost_first_ = base_;
        lost_last_ = base_;
        have_lost_ = true;
        reset_frame(frame_at(0));
        base_++;
        base_position_ = base_position_ + 1 == config_.max_frames_in_flight ? 0 : base_position_ + 1;
        open_frames_--;
    }
}

// A packet for a frame beyond the ring: every frame below frame_index - (ring size - 1) is
// given up, open or not, complete or not.
void VideoFecQueue::advance_window(uint32_t frame_index) {
    const uint32_t new_base = frame_index - (config_.max_frames_in_flight - 1);
    // Serial comparison: popping lost frames may already have carried base_ past new_base.
    while (open_frames_ > 0 && static_cast<int32_t>(new_base - base_) > 0) {
        Frame &head = frame_at(0);
        if (head.state != FrameState::kLost) lose(head);
        pop_lost_head();
    }
    if (static_cast<int32_t>(new_base - base_) > 0) {
        // Frames never seen at all: nothing is held for them, so one range covers them.
        if (!have_lost_) lost_first_ = base_;
        lost_last_ = new_base - 1;
        have_lost_ = true;
        counters_->frames_lost += new_base - base_;
        base_ = new_base;
    }
}

int64_t VideoFecQueue::extend_sequence(uint16_t sequence) {
    const int64_t reference = have_sequence_ ? highest_sequence_ : kSequenceOrigin;
    return reference + static_cast<int16_t>(static_cast<uint16_t>(sequence - static_cast<uint16_t>(reference)));
}

}  // namespace gsc
