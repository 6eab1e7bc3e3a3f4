// Contract in video_receiver.hpp.
#include "video_receiver.hpp"

#include <new>

namespace gsc {

VideoConfigError VideoReceiver::init(const VideoReceiverConfig &config) {
    if (config.max_frame_bytes < 1 || config.max_frame_bytes > kMaxVideoFrameBytes) return VideoConfigError::kBadFrameBytes;
    if (config.long_frame_header_bytes < kFrameHeaderShortBytes || config.long_frame_header_bytes > kFrameHeaderMaxBytes) {
        return VideoConfigError::kBadFrameHeaderBytes;
    }
    VideoFecConfig fec{};
    fec.max_datagram_bytes = config.max_datagram_bytes;
    fec.max_shards_per_block = config.max_shards_per_block;
    fec.max_blocks_per_frame = config.max_blocks_per_frame;
    fec.max_frames_in_flight = config.max_frames_in_flight;
    fec.max_held_packets = config.max_held_packets != 0
                               ? config.max_held_packets
                               : (config.max_blocks_per_frame + 1) * config.max_shards_per_block;
    fec.reorder_tolerance_packets = config.reorder_tolerance_packets;
    fec.first_frame_index = config.first_frame_index;
    fec.rebuild_only_last_payload = config.trim_to_last_payload_length;
    const VideoConfigError error = queue_.init(fec, &counters_);
    if (error != VideoConfigError::kNone) return error;

    depacketizer_.codec = config.codec;
    depacketizer_.max_frame_bytes = config.max_frame_bytes;
    depacketizer_.long_frame_header_bytes = config.long_frame_header_bytes;
    depacketizer_.trim_to_last_payload_length = config.trim_to_last_payload_length;
    access_unit_.reset(new (std::nothrow) uint8_t[config.max_frame_bytes]);
    if (!access_unit_) return VideoConfigError::kOutOfMemory;
    recovery_.init(config.rfi_supported, config.first_frame_index);
    return VideoConfigError::kNone;
}

void VideoReceiver::receive(const uint8_t *datagram, size_t size_bytes, uint64_t now_us) {
    release_emitted();
    queue_.receive(datagram, size_bytes, now_us, false);
}

uint8_t *VideoReceiver::receive_buffer() {
    // Releasing the emitted frame frees slots, which changes the buffer: it must happen before
    // the caller writes, not in receive_in_place().
    release_emitted();
    return queue_.receive_buffer();
}

void VideoReceiver::receive_in_place(size_t size_bytes, uint64_t now_us) {
    // A size beyond the buffer cannot have been written there; the queue counts it malformed.
    queue_.receive(queue_.receive_buffer(), size_bytes, now_us, true);
}

// An access unit handed out in place keeps its frame at the head of the queue until the
// caller's next call.
void VideoReceiver::release_emitted() {
    if (!emitted_in_place_) return;
    emitted_in_place_ = false;
    queue_.release_head();
}

bool VideoReceiver::poll(VideoOutput &out) {
    release_emitted();
    if (have_pending_) {
        have_pending_ = false;
        if (emit_request(pending_, out)) return true;
    }
    if (!queue_.has_output()) return false;
    for (;;) {
        uint32_t first = 0, last = 0;
        if (queue_.take_lost(first, last)) {
            if (emit_request(recovery_.on_frames_lost(first, last), out)) return true;
            continue;
        }
        FecFrameInfo frame{};
        if (!queue_.head_complete(frame)) return false;

        const uint32_t frame_index = frame.frame_index;
        AccessUnitInfo info{};
        const AssembleError error = assemble_access_unit(queue_, frame, depacketizer_, access_unit_.get(), info);
        if (error != AssembleError::kNone) {
            queue_.release_head();
            if (error == AssembleError::kTooLarge) {
                counters_.frames_oversize++;
            } else {
                counters_.frames_malformed++;
            }
            if (emit_request(recovery_.on_frames_lost(frame_index, frame_index), out)) return true;
            continue;
        }
        RecoveryRequest request{};
        const bool deliver = recovery_.on_frame_complete(frame_index, info.key_frame, info.frame_type, request);
        if (deliver && info.data != access_unit_.get()) {
            emitted_in_place_ = true;
        } else {
            queue_.release_head();
        }
        if (deliver) {
            counters_.frames_emitted++;
            if (info.key_frame) counters_.key_frames_emitted++;
            out.kind = VideoOutput::Kind::kAccessUnit;
            VideoAccessUnit &unit = out.access_unit;
            unit.data = info.data;
            unit.size_bytes = info.size_bytes;
            unit.frame_index = frame_index;
            unit.rtp_timestamp = frame.rtp_timestamp;
            unit.first_packet_us = frame.first_packet_us;
            unit.host_latency_100us = info.host_latency_100us;
            unit.frame_type = info.frame_type;
            unit.key_frame = info.key_frame;
            return true;
        }
        counters_.frames_discarded++;
        if (emit_request(request, out)) return true;
    }
}

void VideoReceiver::request_idr() {
    release_emitted();
    pending_ = recovery_.on_decoder_error();
    have_pending_ = true;
}

bool VideoReceiver::emit_request(const RecoveryRequest &request, VideoOutput &out) {
    switch (request.kind) {
        case RecoveryRequest::Kind::kNone:
            return false;
        case RecoveryRequest::Kind::kIdr:
            counters_.idr_requests++;
            out.kind = VideoOutput::Kind::kRequestIdr;
            return true;
        case RecoveryRequest::Kind::kRfi:
            counters_.rfi_requests++;
            out.kind = VideoOutput::Kind::kRequestRfi;
            out.rfi_first_frame = request.first_frame;
            out.rfi_last_frame = request.last_frame;
            return true;
    }
    return false;
}

}  // namespace gsc
