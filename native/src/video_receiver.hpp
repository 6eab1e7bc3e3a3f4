// The receive side of a video stream, as one object: datagrams in, access units and recovery
// requests out (shared/protocol/data-plane.md §2). It ties together the FEC queue
// (video_fec_queue), the access-unit assembly (video_depacketizer) and the loss-recovery
// machine (video_recovery). Sans-IO: no clock, no socket, no callback.
//
// Use:
//   VideoReceiver video;
//   if (video.init(config) != VideoConfigError::kNone) ...           // allocates everything
//   per datagram: video.receive(bytes, size, now_us);                 // or, without a copy:
//                 memcpy/recv into video.receive_buffer(), then video.receive_in_place(size, now_us)
//   then:         while (video.poll(out)) { access unit -> decoder; request -> control stream }
//
// Memory is allocated by init() only (style guide B.4); receive() and poll() never allocate.
// Encrypted video (§2.9) is decrypted before this object sees it.
#ifndef GSC_VIDEO_RECEIVER_HPP
#define GSC_VIDEO_RECEIVER_HPP

#include <cstddef>
#include <cstdint>
#include <memory>

#include "video_counters.hpp"
#include "video_depacketizer.hpp"
#include "video_fec_queue.hpp"
#include "video_recovery.hpp"

namespace gsc {

// An access unit costs at most this much memory: a 4:4:4 8K IDR frame is a few MiB.
constexpr uint32_t kMaxVideoFrameBytes = 16u << 20;

struct VideoReceiverConfig {
    // Largest datagram: the negotiated packetSize + 16 (1408 for Moonlight's default 1392).
    uint32_t max_datagram_bytes = 1408;
    // Largest k + m of a FEC block, up to 1023 (10-bit fields). Sunshine keeps k + m <= 255
    // while FEC is on; only frames too big for 4 FEC blocks go without FEC in larger blocks.
    uint32_t max_shards_per_block = 255;
    // Largest number of FEC blocks in a frame, up to 4.
    uint32_t max_blocks_per_frame = 4;
    // Largest access unit, up to kMaxVideoFrameBytes; bigger frames are dropped (and an IDR
    // requested), so size it for the largest IDR of the negotiated resolution and bitrate.
    uint32_t max_frame_bytes = 2u << 20;
    // Frames that may be open at once, up to kMaxFramesInFlight.
    uint32_t max_frames_in_flight = 8;
    // Packet slots; 0 picks the minimum, (max_blocks_per_frame + 1) * max_shards_per_block.
    uint32_t max_held_packets = 0;
    // Reordering tolerated from the start, in packets (it also grows with what is seen).
    uint32_t reorder_tolerance_packets = 0;
    // Sunshine numbers frames from 1 (data-plane.md §2.1).
    uint32_t first_frame_index = 1;
    VideoCodec codec = VideoCodec::kH264;
    // Host advertised refPicInvalidation and the decoder can handle it (§2.8).
    bool rfi_supported = false;
    // See DepacketizerConfig.
    bool trim_to_last_payload_length = true;
    uint32_t long_frame_header_bytes = kFrameHeaderLongBytesDefault;
};

// A complete access unit. `data` points into the receiver (a frame of one packet is not even
// copied: it points into that packet) and stays valid until the next call to receive(),
// receive_buffer(), receive_in_place(), poll() or request_idr().
struct VideoAccessUnit {
    const uint8_t *data;
    uint32_t size_bytes;
    uint32_t frame_index;
    // RTP timestamp of the frame's first data packet (90 kHz on current Sunshine, §2.1).
    uint32_t rtp_timestamp;
    // `now_us` of the first packet of this frame that arrived.
    uint64_t first_packet_us;
    // Host processing latency, 0.1 ms units; 0 when the host gave none.
    uint16_t host_latency_100us;
    // Frame header type: 1 P, 2 IDR, 4 intra refresh, 5 after invalidation (§2.3).
    uint8_t frame_type;
    // Starts with parameter sets and holds a random-access slice: decodable on its own.
    bool key_frame;
};

struct VideoOutput {
    enum class Kind : uint8_t {
        // `access_unit` is valid.
        kAccessUnit,
        // Send an IDR request to the host (control message 0x0302, §4.4.1).
        kRequestIdr,
        // Send an RFI for [rfi_first_frame, rfi_last_frame] (control message 0x0301, §4.4.3).
        kRequestRfi,
    };
    Kind kind;
    VideoAccessUnit access_unit;
    uint32_t rfi_first_frame;
    uint32_t rfi_last_frame;
};

class VideoReceiver {
public:
    VideoReceiver() = default;
    VideoReceiver(const VideoReceiver &) = delete;
    VideoReceiver &operator=(const VideoReceiver &) = delete;

    // Checks `config` against its documented ranges and allocates everything. Call once.
    [[nodiscard]] VideoConfigError init(const VideoReceiverConfig &config);

    // Processes one datagram (copied only if it is kept).
    void receive(const uint8_t *datagram, size_t size_bytes, uint64_t now_us);

    // Zero-copy input: write the next datagram (at most receive_buffer_bytes()) at
    // receive_buffer(), then call receive_in_place(). The buffer is valid until the next call
    // that changes the receiver.
    uint8_t *receive_buffer();
    uint32_t receive_buffer_bytes() const { return queue_.receive_buffer_bytes(); }
    void receive_in_place(size_t size_bytes, uint64_t now_us);

    // The next output, in order: false when there is none. Call until false after each
    // receive. An access unit is borrowed (see VideoAccessUnit).
    [[nodiscard]] bool poll(VideoOutput &out);

    // The decoder could not use a frame: drop until the next key frame and ask for one (the
    // request comes out of poll()).
    void request_idr();

    const VideoCounters &counters() const { return counters_; }
    uint32_t reorder_tolerance() const { return queue_.reorder_tolerance(); }
    // The Reed-Solomon tables (about 130 KiB), for the session's audio FEC to share.
    ReedSolomon &reed_solomon() { return queue_.reed_solomon(); }

private:
    bool emit_request(const RecoveryRequest &request, VideoOutput &out);
    void release_emitted();

    VideoCounters counters_{};
    VideoFecQueue queue_;
    VideoRecovery recovery_;
    DepacketizerConfig depacketizer_{};
    std::unique_ptr<uint8_t[]> access_unit_;
    bool have_pending_ = false;
    // The last access unit points into the head frame's slot, which is released on the next call.
    bool emitted_in_place_ = false;
    RecoveryRequest pending_{};
};

}  // namespace gsc

#endif
