// Contract and theory of operation in video_recovery.hpp.
#include "video_recovery.hpp"

#include "video_depacketizer.hpp"

namespace gsc {

namespace {

constexpr RecoveryRequest kNoRequest{RecoveryRequest::Kind::kNone, 0, 0};
constexpr RecoveryRequest kIdrRequest{RecoveryRequest::Kind::kIdr, 0, 0};

}  // namespace

void VideoRecovery::init(bool rfi_supported, uint32_t first_frame_index) {
    rfi_supported_ = rfi_supported;
    waiting_for_idr_ = true;
    waiting_for_rfi_ = false;
    request_idr_on_next_frame_ = false;
    key_frame_delivered_ = false;
    start_frame_ = first_frame_index;
    consecutive_drops_ = 0;
}

RecoveryRequest VideoRecovery::on_frames_lost(uint32_t first_frame, uint32_t last_frame) {
    enter_drop_state();
    RecoveryRequest request = kNoRequest;
    if (waiting_for_idr_) {
        request_idr_on_next_frame_ = true;
    } else {
        request = RecoveryRequest{RecoveryRequest::Kind::kRfi, start_frame_, last_frame};
    }
    return count_drops(last_frame - first_frame + 1, request);
}

bool VideoRecovery::on_frame_complete(uint32_t frame_index, bool key_frame, uint8_t frame_type,
                                      RecoveryRequest &request) {
    request = kNoRequest;
    if (key_frame) {
        waiting_for_idr_ = false;
        waiting_for_rfi_ = false;
        request_idr_on_next_frame_ = false;
    } else if (waiting_for_rfi_ && (frame_type == kFrameTypeIntraRefresh || frame_type == kFrameTypeAfterInvalidation)) {
        waiting_for_rfi_ = false;
    }

    if (waiting_for_idr_) {
        if (request_idr_on_next_frame_) {
            request_idr_on_next_frame_ = false;
            request = kIdrRequest;
        }
        request = count_drops(1, request);
        return false;
    }
    if (waiting_for_rfi_) {
        request = count_drops(1, RecoveryRequest{RecoveryRequest::Kind::kRfi, start_frame_, frame_index});
        return false;
    }
    start_frame_ = frame_index + 1;
    consecutive_drops_ = 0;
    if (key_frame) key_frame_delivered_ = true;
    return true;
}

RecoveryRequest VideoRecovery::on_decoder_error() {
    waiting_for_idr_ = true;
    waiting_for_rfi_ = false;
    request_idr_on_next_frame_ = false;
    return kIdrRequest;
}

// RFI needs the host's and decoder's support and a decoded IDR to refer to; an IDR already
// awaited cannot be replaced by an RFI.
void VideoRecovery::enter_drop_state() {
    if (!rfi_supported_ || !key_frame_delivered_ || waiting_for_idr_) {
        waiting_for_idr_ = true;
        waiting_for_rfi_ = false;
    } else {
        waiting_for_rfi_ = true;
    }
}

RecoveryRequest VideoRecovery::count_drops(uint32_t frames, RecoveryRequest request) {
    consecutive_drops_ = frames > kMaxConsecutiveDrops - consecutive_drops_ ? kMaxConsecutiveDrops
                                                                              : consecutive_drops_ + frames;
    if (consecutive_drops_ < kMaxConsecutiveDrops) return request;
    consecutive_drops_ = 0;
    waiting_for_idr_ = true;
    waiting_for_rfi_ = false;
    request_idr_on_next_frame_ = false;
    return kIdrRequest;
}

}  // namespace gsc
