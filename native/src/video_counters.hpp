// What the video path counts (style guide B.8: a malformed packet is dropped and counted, never
// an error return). One plain struct, bumped by the FEC queue and the depacketizer and read by
// the session's stats call. All counters only grow.
#ifndef GSC_VIDEO_COUNTERS_HPP
#define GSC_VIDEO_COUNTERS_HPP

#include <cstdint>

namespace gsc {

struct VideoCounters {
    // Datagrams handed to the receiver, whatever became of them.
    uint64_t packets_received;
    // Dropped as malformed: too short or too long, bad RTP version, impossible FEC info or
    // block index, or fields that contradict earlier packets of the same block or frame.
    uint64_t packets_malformed;
    // The same shard of a block that is still held, received again.
    uint64_t packets_duplicate;
    // Data packets of a frame that was already handed out, and any packet of a frame that was
    // declared lost.
    uint64_t packets_late;
    // Shards of a block that was already complete, or parity of a frame already handed out
    // (the normal fate of parity when nothing is lost): dropped without being stored.
    uint64_t packets_unneeded;
    // Data packets stored, and parity packets stored for a possible recovery.
    uint64_t data_packets_stored;
    uint64_t parity_packets_stored;
    // Blocks that needed Reed-Solomon recovery and got it, and the data shards rebuilt.
    uint64_t fec_blocks_recovered;
    uint64_t fec_shards_recovered;
    // Recoveries whose result failed the sanity checks of data-plane.md §2.5 (frame lost).
    uint64_t fec_recovery_rejected;
    // Frames that could not be completed: too few shards of some block (declared lost by
    // sequence position), frame window overflow, or pool exhaustion.
    uint64_t frames_lost;
    // Frames whose shape (blocks, shards) or size exceeds the configured limits.
    uint64_t frames_oversize;
    // Complete frames whose frame header or payload was invalid (not emitted).
    uint64_t frames_malformed;
    // Access units handed out, and how many of them were key frames (IDR).
    uint64_t frames_emitted;
    uint64_t key_frames_emitted;
    // Complete frames not emitted because the decoder is waiting for an IDR or an RFI answer.
    uint64_t frames_discarded;
    // Recovery requests raised.
    uint64_t idr_requests;
    uint64_t rfi_requests;
};

}  // namespace gsc

#endif
