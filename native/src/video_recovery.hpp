// Loss recovery of the video stream: which complete frames may go to the decoder after a loss,
// and when to ask the host for an IDR frame or a reference-frame invalidation (RFI)
// (shared/protocol/data-plane.md §2.8).
//
// Theory of operation. Frames reach this machine in frame order, each either complete or lost.
// A P-frame is only decodable when every frame before it was, so after a loss the machine
// waits, dropping complete frames, until the host sends something that does not depend on the
// lost frame:
// - waiting for an IDR: until a key frame arrives. The request goes out when the first
//   complete frame after the loss arrives (so a congested link gets no pile of requests), and
//   again every kMaxConsecutiveDrops dropped frames;
// - waiting for an RFI answer (only if the host and decoder support RFI and an IDR has been
//   delivered): an RFI for [first undelivered frame, newest lost or dropped frame] goes out at
//   the loss and at every frame dropped while waiting; a key frame, or a frame of type 4
//   (intra refresh) or 5 (first frame after an invalidation), ends the wait.
// The stream starts out waiting for an IDR (hosts begin with one). A decoder error also asks
// for an IDR at once.
#ifndef GSC_VIDEO_RECOVERY_HPP
#define GSC_VIDEO_RECOVERY_HPP

#include <cstdint>

namespace gsc {

// Dropped frames in a row after which an IDR is requested again, whatever was asked before
// (the reference client's rule, data-plane.md §2.8).
constexpr uint32_t kMaxConsecutiveDrops = 120;

struct RecoveryRequest {
    enum class Kind : uint8_t { kNone, kIdr, kRfi };
    Kind kind;
    // Frames to invalidate (kRfi only).
    uint32_t first_frame;
    uint32_t last_frame;
};

class VideoRecovery {
public:
    void init(bool rfi_supported, uint32_t first_frame_index);

    // Frames [first, last] will never be delivered.
    RecoveryRequest on_frames_lost(uint32_t first_frame, uint32_t last_frame);
    // A complete frame, the next in order. Returns whether it goes to the decoder; `request`
    // says what to ask the host for (kNone mostly).
    bool on_frame_complete(uint32_t frame_index, bool key_frame, uint8_t frame_type, RecoveryRequest &request);
    // The decoder rejected a frame: drop until the next key frame, and ask for one now.
    RecoveryRequest on_decoder_error();

    bool waiting_for_idr() const { return waiting_for_idr_; }
    bool waiting_for_rfi() const { return waiting_for_rfi_; }

private:
    void enter_drop_state();
    RecoveryRequest count_drops(uint32_t frames, RecoveryRequest request);

    bool rfi_supported_ = false;
    bool waiting_for_idr_ = true;
    bool waiting_for_rfi_ = false;
    bool request_idr_on_next_frame_ = false;
    bool key_frame_delivered_ = false;
    // The first frame not yet delivered: the start of any RFI range.
    uint32_t start_frame_ = 0;
    uint32_t consecutive_drops_ = 0;
};

}  // namespace gsc

#endif
