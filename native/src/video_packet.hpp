// Parsing of one clear (unencrypted) video datagram: the RTP header and the NV video header
// that follows it (shared/protocol/data-plane.md §2.1). Pure function, no state: it only
// reads the bytes it is given and says whether they form a structurally valid packet. What
// the fields mean for FEC blocks and frames is decided by video_fec_queue.
#ifndef GSC_VIDEO_PACKET_HPP
#define GSC_VIDEO_PACKET_HPP

#include <cstddef>
#include <cstdint>

namespace gsc {

// RTP fixed header (RFC 3550 §5.1); Sunshine sets the X bit, which in this protocol only means
// that 4 more bytes follow, with no RTP-extension semantics (data-plane.md §2.1).
constexpr size_t kRtpHeaderBytes = 12;
constexpr size_t kRtpExtensionBytes = 4;
// The NV video header after the RTP header: stream packet index, frame index, flags,
// extra flags, multi-FEC flags, multi-FEC blocks, FEC info (data-plane.md §2.1).
constexpr size_t kNvVideoHeaderBytes = 16;

// `flags` bits (data-plane.md §2.1).
constexpr uint8_t kVideoFlagPictureData = 0x01;
constexpr uint8_t kVideoFlagEndOfBlock = 0x02;
constexpr uint8_t kVideoFlagStartOfBlock = 0x04;

// fecInfo fields are 10 bits wide, so no block can hold more shards than this.
constexpr uint32_t kMaxShardsPerBlockField = 1023;
// multiFecBlocks carries the block index and the last block index in 2 bits each.
constexpr uint32_t kMaxBlocksPerFrameField = 4;

// Frame header: the first payload bytes of a frame's first data shard (data-plane.md §2.3).
// Byte 0 says which form follows.
constexpr uint8_t kFrameHeaderShortType = 0x01;
constexpr uint8_t kFrameHeaderLongType = 0x81;
// The short form, the only one Sunshine sends: type, host latency (LE16, 0.1 ms), frame type,
// last payload length (LE16), 2 reserved bytes.
constexpr uint32_t kFrameHeaderShortBytes = 8;
constexpr uint32_t kFrameHeaderLatencyOffset = 1;
constexpr uint32_t kFrameHeaderFrameTypeOffset = 3;
constexpr uint32_t kFrameHeaderLastPayloadOffset = 4;

// The headers of one datagram. The fields the FEC queue routes every packet by are decoded;
// the rest are read from the datagram on demand (the accessors), so a packet that is dropped
// early costs no more than it must. `datagram` must outlive the accessor calls.
struct VideoPacket {
    const uint8_t *datagram;
    // Offset of the NV header in the datagram: 12, or 16 when the RTP X bit is set.
    uint32_t nv_header_offset;
    // Offset of the payload: nv_header_offset + 16.
    uint32_t payload_offset;
    uint16_t sequence;
    uint32_t frame_index;
    // From multiFecBlocks: this block's index within the frame, and the last index.
    uint8_t block_index;
    uint8_t last_block_index;
    // From fecInfo: data shards k (>= 1), this packet's shard index, FEC percentage.
    uint16_t data_shards;
    uint16_t shard_index;
    uint8_t fec_percentage;
    // Parity shards the host sent for this block, recomputed from k and the percentage as
    // the host rounds it (data-plane.md §2.5): (k * p + 99) / 100.
    uint16_t parity_shards;

    uint32_t rtp_timestamp() const;
    // (streamPacketIndex >> 8) & 0xFFFFFF.
    uint32_t stream_packet_index() const;
    uint8_t flags() const { return datagram[nv_header_offset + 8]; }
    uint8_t extra_flags() const { return datagram[nv_header_offset + 9]; }
    uint8_t multi_fec_flags() const { return datagram[nv_header_offset + 10]; }
};

enum class VideoPacketError : uint8_t {
    kNone,
    // Shorter than the RTP + NV headers.
    kTooShort,
    // RTP version is not 2.
    kBadRtpVersion,
    // fecInfo says zero data shards, or a shard index past data + parity.
    kBadFecInfo,
    // multiFecBlocks has a block index above the last block index.
    kBadBlockIndex,
};

// Parses the headers of `datagram`; on kNone fills `out`. Never reads past `size_bytes`.
[[nodiscard]] VideoPacketError parse_video_packet(const uint8_t *datagram, size_t size_bytes, VideoPacket &out);

// The last-payload-length of a short frame header (data-plane.md §2.3): how many payload bytes
// of the frame's final data shard are bitstream (counting the header itself when the frame is
// one shard). `first_payload` is the payload of shard 0 of block 0, `payload_bytes` long.
// Returns 0 when the header is not the short form or the value is outside [1, payload_bytes].
inline uint32_t short_header_last_payload_bytes(const uint8_t *first_payload, uint32_t payload_bytes) {
    if (payload_bytes < kFrameHeaderShortBytes || first_payload[0] != kFrameHeaderShortType) return 0;
    const uint32_t last = uint32_t{first_payload[kFrameHeaderLastPayloadOffset]} |
                          uint32_t{first_payload[kFrameHeaderLastPayloadOffset + 1]} << 8;
    return last <= payload_bytes ? last : 0;
}

// Parity shards a host sends for a block of `data_shards` with FEC percentage `percentage`
// (data-plane.md §2.5: m = ceil(k * p / 100), as the client recomputes it).
constexpr uint32_t video_parity_shards(uint32_t data_shards, uint32_t percentage) {
    return (data_shards * percentage + 99) / 100;
}

}  // namespace gsc

#endif
