// The video FEC queue: collects the datagrams of each frame into its FEC blocks, rebuilds
// missing data shards with Reed-Solomon as soon as a block holds enough shards, and hands
// frames out in frame order, each either complete or lost (shared/protocol/data-plane.md
// §2.4-§2.6).
//
// Theory of operation.
// - Packets live in a pool of fixed-size slots sized at create time. A datagram is parsed
//   before it is stored, and is stored only if some block still needs it: a parity packet
//   for a complete block costs a parse and nothing else.
// - Frames in flight sit in a ring of `max_frames_in_flight` entries, from `base` (the oldest
//   frame not yet handed out) upwards. Each entry has up to 4 blocks; each block maps shard
//   index -> slot. Packets may arrive in any order and any number of times: position comes
//   from fecInfo and the block's first sequence number, never from arrival order.
// - A block is complete when it holds all k data shards, or as soon as it holds any k shards
//   (then its missing data shards are rebuilt). A frame is complete when all its blocks are.
// - Rebuilding is spread over the packets: each parity shard, as it arrives, has the data
//   shards held so far XORed out of it (a data shard arriving later is folded into those
//   parity shards), so that the packet that makes a block recoverable leaves a square solve
//   of (missing shards)^2 rows to do, not (missing shards) x k. That keeps the time from the
//   last packet of a frame to its access unit short (ReedSolomon::solve_reduced_cauchy).
// - A frame is declared lost when it can no longer complete. Hosts send frames and blocks in
//   sequence order, so a shard whose sequence number lies more than the reorder tolerance
//   below the highest one received will not come any more. The tolerance starts at the
//   configured value and grows to the largest reordering distance seen (capped). With
//   tolerance 0 (in-order network) a frame is declared lost the moment too many of its
//   shards are known missing, which is how the reference client reports losses early.
//   A frame is also given up when a packet arrives for a frame `max_frames_in_flight` or more
//   ahead of `base`, or when the pool is exhausted.
// - There is no timer: a frame stays open until it completes or later traffic shows it cannot.
//
// Hand-out order: lost ranges first (frames below `base`), then the head frame when complete.
#ifndef GSC_VIDEO_FEC_QUEUE_HPP
#define GSC_VIDEO_FEC_QUEUE_HPP

#include <cstddef>
#include <cstdint>
#include <memory>

#include "reed_solomon.hpp"
#include "video_counters.hpp"
#include "video_packet.hpp"

namespace gsc {

struct VideoFecConfig {
    // Largest datagram accepted (negotiated packetSize + 16; larger ones are malformed).
    uint32_t max_datagram_bytes;
    // Largest k + m of a block; at most kMaxShardsPerBlockField (10-bit fecInfo fields).
    uint32_t max_shards_per_block;
    // Largest number of FEC blocks per frame; at most kMaxBlocksPerFrameField (2-bit field).
    uint32_t max_blocks_per_frame;
    // Frames that may be open at once (reordering window in frames); 1 .. kMaxFramesInFlight.
    uint32_t max_frames_in_flight;
    // Packet slots; at least (max_blocks_per_frame + 1) * max_shards_per_block, so that the
    // largest frame always fits with room for one block's recovery; at most kMaxHeldPackets.
    uint32_t max_held_packets;
    // Initial reordering tolerance in packets (sequence numbers); 0 .. kMaxReorderTolerance.
    uint32_t reorder_tolerance_packets;
    // The first frame index the host sends (1 for Sunshine, data-plane.md §2.1).
    uint32_t first_frame_index;
    // When the frame's last data shard must be rebuilt, rebuild only the bytes the short frame
    // header's last-payload-length says are bitstream: the rest is padding nobody reads. Only
    // when access units are cut at that length (DepacketizerConfig::trim_to_last_payload_length).
    bool rebuild_only_last_payload;
};

// Limits of the configuration, each with where it comes from.
// The ring is scanned on loss checks; 64 frames is over a second at 60 fps.
constexpr uint32_t kMaxFramesInFlight = 64;
// Slot ids are 16-bit with two sentinel values.
constexpr uint32_t kMaxHeldPackets = 65533;
// Largest IPv4 UDP payload.
constexpr uint32_t kMaxVideoDatagramBytes = 65507;
// Reordering in sequence numbers beyond a few blocks is a broken path, and each loss check
// scans up to this many positions of a block.
constexpr uint32_t kMaxReorderTolerance = 1024;
// A frame index further ahead than this is taken as corrupt rather than as frames skipped:
// 65536 frames is 18 minutes at 60 fps, far beyond any session timeout.
constexpr uint32_t kMaxFrameIndexJump = 65536;

enum class VideoConfigError : uint8_t {
    kNone,
    kBadDatagramSize,
    kBadShardsPerBlock,
    kBadBlocksPerFrame,
    kBadFramesInFlight,
    kBadHeldPackets,
    kBadReorderTolerance,
    kBadFrameBytes,
    kBadFrameHeaderBytes,
    kOutOfMemory,
};

// A complete frame at the head of the queue.
struct FecFrameInfo {
    uint32_t frame_index;
    // Data shards over all blocks, and the payload bytes each carries (datagram minus headers).
    uint32_t data_shards;
    uint32_t payload_bytes;
    // The first payload bytes of the frame (shard 0 of block 0): where the frame header is.
    const uint8_t *first_payload;
    uint32_t rtp_timestamp;
    uint64_t first_packet_us;
};

class VideoFecQueue {
public:
    // Out of line: Frame is only defined in the .cpp.
    VideoFecQueue();
    ~VideoFecQueue();
    VideoFecQueue(const VideoFecQueue &) = delete;
    VideoFecQueue &operator=(const VideoFecQueue &) = delete;

    // Checks the configuration and allocates everything. Call once.
    [[nodiscard]] VideoConfigError init(const VideoFecConfig &config, VideoCounters *counters);

    // Where to write the next datagram to avoid a copy: a free slot of `max_datagram_bytes`.
    // Valid until the next call that changes the queue.
    uint8_t *receive_buffer() { return slot(free_[free_count_ - 1]); }
    uint32_t receive_buffer_bytes() const { return config_.max_datagram_bytes; }

    // Processes one datagram. `in_place` tells that `datagram` is receive_buffer(); otherwise
    // the bytes are copied if the packet is kept.
    void receive(const uint8_t *datagram, size_t size_bytes, uint64_t now_us, bool in_place);

    // Whether take_lost() or head_complete() has something: a cheap test for the common case
    // of a packet that completed nothing.
    bool has_output() const { return have_lost_ || head_ready_; }

    // Frames given up since the last call, as one range [first, last] below every frame still
    // held; false when there are none.
    [[nodiscard]] bool take_lost(uint32_t &first_frame, uint32_t &last_frame);
    // The oldest frame held, when it is complete: fills `out` and returns true. Its payload can
    // then be read with copy_head_payload() until release_head().
    [[nodiscard]] bool head_complete(FecFrameInfo &out) const;
    // Copies bytes [skip_bytes, skip_bytes + size_bytes) of the head frame's data payloads, taken
    // in block and shard order as one byte string (the frame header and bitstream, §2.4), to
    // `out`. The range must lie within data_shards * payload_bytes.
    void copy_head_payload(uint8_t *out, size_t skip_bytes, size_t size_bytes) const;
    void release_head();

    uint32_t reorder_tolerance() const { return tolerance_; }
    // The Reed-Solomon tables, for other streams of the session to share (audio FEC).
    ReedSolomon &reed_solomon() { return *rs_; }

private:
    struct Block;
    struct Frame;

    uint8_t *slot(uint16_t id) const { return slots_.get() + size_t{id} * slot_stride_; }
    Frame &frame_at(uint32_t distance) const;
    uint16_t *block_slots(const Frame &frame, uint32_t block) const;

    void receive_packet(const uint8_t *datagram, size_t size_bytes, uint64_t now_us, bool in_place);
    bool store(Frame &frame, Block &block, const VideoPacket &packet, const uint8_t *datagram, size_t size_bytes,
               bool in_place);
    bool ensure_free(uint32_t needed, const Frame &keep);
    bool evict_oldest_except(const Frame &keep);
    void complete_block(Frame &frame, Block &block);
    void reduce_parity(Frame &frame, Block &block, uint32_t row);
    void fold_data(Frame &frame, Block &block, uint32_t index);
    bool recover_block(Frame &frame, Block &block);
    bool last_shard_rebuild_bytes(const Frame &frame, const Block &block, const uint8_t *lost, uint8_t *const *out,
                                  const uint8_t *const *reduced, uint32_t count, size_t *rebuild_bytes);
    void note_sequence(int64_t sequence);
    void detect_losses();
    int64_t given_up_shards(const Frame &frame, const Block &block, int64_t threshold, bool &missing) const;
    void lose(Frame &frame);
    void free_frame_slots(Frame &frame);
    void reset_frame(Frame &frame);
    void pop_lost_head();
    void refresh_head();
    void advance_window(uint32_t frame_index);
    int64_t extend_sequence(uint16_t sequence);

    VideoFecConfig config_{};
    VideoCounters *counters_ = nullptr;
    std::unique_ptr<ReedSolomon> rs_;
    std::unique_ptr<uint8_t[]> slots_;
    size_t slot_stride_ = 0;
    std::unique_ptr<uint16_t[]> free_;
    uint32_t free_count_ = 0;
    std::unique_ptr<Frame[]> frames_;
    std::unique_ptr<uint16_t[]> slot_table_;
    // Ring position of `base_`.
    uint32_t base_position_ = 0;
    uint32_t base_ = 0;
    // Frames [base_, base_ + open_frames_) have ring entries that may be in use.
    uint32_t open_frames_ = 0;
    // Open frames declared lost and not yet moved into the lost range.
    uint32_t lost_open_ = 0;
    // The head frame is complete.
    bool head_ready_ = false;
    bool have_lost_ = false;
    uint32_t lost_first_ = 0;
    uint32_t lost_last_ = 0;
    bool have_sequence_ = false;
    int64_t highest_sequence_ = 0;
    // Some shard at or below the highest sequence number may be missing: loss checks are
    // needed. False while packets arrive in sequence with nothing missing, which makes the
    // loss-free path skip them.
    bool gaps_ = false;
    uint32_t tolerance_ = 0;
};

}  // namespace gsc

#endif
