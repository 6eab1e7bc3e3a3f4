// Turns a complete frame of the FEC queue into one access unit, and tells key frames from the
// rest (shared/protocol/data-plane.md §2.3, §2.7, §2.8).
//
// The access unit is exactly what the host's encoder produced: the data shards' payloads in
// block and shard order, without the frame header, cut at the frame header's last-payload-
// length field (a Sunshine extension that marks the end of the bitstream in the final packet,
// §2.3). Unlike the reference client it keeps leading AUD/SEI NAL units and does not split
// parameter sets out: decoders accept a whole Annex-B access unit as the encoder wrote it.
#ifndef GSC_VIDEO_DEPACKETIZER_HPP
#define GSC_VIDEO_DEPACKETIZER_HPP

#include <cstddef>
#include <cstdint>

#include "video_fec_queue.hpp"

namespace gsc {

enum class VideoCodec : uint8_t { kH264, kH265, kAv1 };

// The long (0x81) frame header's size depends on the host version: 24 bytes for [7.1.415, 7.1.446) (the
// range Sunshine reports itself in), 41 and 44 for later GFE (§2.3).
constexpr uint32_t kFrameHeaderLongBytesDefault = 24;
constexpr uint32_t kFrameHeaderMaxBytes = 44;

// Frame types in header byte 3 (§2.3).
constexpr uint8_t kFrameTypeP = 1;
constexpr uint8_t kFrameTypeIdr = 2;
constexpr uint8_t kFrameTypeIntraRefresh = 4;
constexpr uint8_t kFrameTypeAfterInvalidation = 5;

struct DepacketizerConfig {
    VideoCodec codec;
    // Capacity of the output buffer.
    uint32_t max_frame_bytes;
    // Size of the 0x81 frame header for this host; kFrameHeaderShortBytes .. kFrameHeaderMaxBytes.
    uint32_t long_frame_header_bytes;
    // Cut the access unit at the last-payload-length field (short header only). True for
    // Sunshine; GFE's value is not reliable (§2.3), and without it the zero padding of the last
    // packet stays, which is legal Annex-B trailing data.
    bool trim_to_last_payload_length;
};

struct AccessUnitInfo {
    // The access unit: in the caller's buffer, or, for a frame of one data shard, in place in
    // the queue's slot (valid until the queue releases the head frame).
    const uint8_t *data;
    uint32_t size_bytes;
    // Host processing latency in 0.1 ms (short header bytes 1-2; 0 when the host has none).
    uint16_t host_latency_100us;
    uint8_t frame_type;
    bool key_frame;
};

enum class AssembleError : uint8_t {
    kNone,
    // The frame does not fit in max_frame_bytes.
    kTooLarge,
    // Unknown frame header type, or a header longer than the first packet's payload.
    kBadFrameHeader,
    // The last-payload-length field is 0, beyond the packet, or leaves no bitstream.
    kBadLastPayloadLength,
};

// Describes the complete head frame of `queue` (`frame`) as an access unit. A frame of several
// data shards is copied into `out` (max_frame_bytes); a frame of one shard is already contiguous
// and is pointed to where it lies, without a copy. On an error nothing meaningful is in `out`.
[[nodiscard]] AssembleError assemble_access_unit(const VideoFecQueue &queue, const FecFrameInfo &frame,
                                                 const DepacketizerConfig &config, uint8_t *out, AccessUnitInfo &info);

// Whether an access unit starts a new coded video sequence: H.264/HEVC, the first NAL unit
// after any AUD and SEI units is a parameter set (SPS / VPS) and a random-access slice follows
// (H.264 type 5, HEVC 16-21), as the reference client decides (§2.8); AV1, frame type 2.
bool is_key_frame(VideoCodec codec, const uint8_t *access_unit, size_t size_bytes, uint8_t frame_type);

}  // namespace gsc

#endif
