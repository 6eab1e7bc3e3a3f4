// Contract in video_packet.hpp.
#include "video_packet.hpp"

#include <cstring>

#include "byte_reader.hpp"

namespace gsc {

namespace {

constexpr uint8_t kRtpVersionMask = 0xC0;
constexpr uint8_t kRtpVersion2 = 0x80;
constexpr uint8_t kRtpExtensionBit = 0x10;

// fecInfo bit layout (data-plane.md §2.1).
constexpr uint32_t kFecDataShardsShift = 22;
constexpr uint32_t kFecShardIndexShift = 12;
constexpr uint32_t kFecPercentageShift = 4;
constexpr uint32_t kFecTenBits = 0x3FF;
constexpr uint32_t kFecEightBits = 0xFF;

// multiFecBlocks: bits 4-5 block index, bits 6-7 last block index (data-plane.md §2.1).
constexpr uint32_t kBlockIndexShift = 4;
constexpr uint32_t kLastBlockIndexShift = 6;
constexpr uint32_t kTwoBits = 0x3;

// Word loads: this parse runs for every datagram, and byte-by-byte assembly costs several
// times more instructions than one load (and a byte swap where the order differs).
uint32_t load_le32(const uint8_t *p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

uint32_t load_be32(const uint8_t *p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

}  // namespace

VideoPacketError parse_video_packet(const uint8_t *datagram, size_t size_bytes, VideoPacket &out) {
    // One bounds check for the whole header through the reader, then fixed-offset loads from
    // the span it vouched for: this runs for every datagram, parity included.
    ByteReader r(datagram, size_bytes);
    const uint8_t *rtp = nullptr;
    if (!r.bytes(rtp, kRtpHeaderBytes)) return VideoPacketError::kTooShort;
    // Payload type is not set by Sunshine (0 even in parity packets, §2.1), so it is not checked.
    if ((rtp[0] & kRtpVersionMask) != kRtpVersion2) return VideoPacketError::kBadRtpVersion;
    if ((rtp[0] & kRtpExtensionBit) != 0 && !r.skip(kRtpExtensionBytes)) return VideoPacketError::kTooShort;
    const uint32_t nv_offset = static_cast<uint32_t>(r.position());
    const uint8_t *nv = nullptr;
    if (!r.bytes(nv, kNvVideoHeaderBytes)) return VideoPacketError::kTooShort;

    const uint32_t fec_info = load_le32(nv + 12);
    const uint32_t data_shards = (fec_info >> kFecDataShardsShift) & kFecTenBits;
    const uint32_t shard_index = (fec_info >> kFecShardIndexShift) & kFecTenBits;
    const uint32_t percentage = (fec_info >> kFecPercentageShift) & kFecEightBits;
    const uint32_t parity_shards = video_parity_shards(data_shards, percentage);
    if (data_shards == 0 || shard_index >= data_shards + parity_shards) return VideoPacketError::kBadFecInfo;

    const uint8_t multi_fec_blocks = nv[11];
    const uint32_t block_index = (multi_fec_blocks >> kBlockIndexShift) & kTwoBits;
    const uint32_t last_block_index = (multi_fec_blocks >> kLastBlockIndexShift) & kTwoBits;
    if (block_index > last_block_index) return VideoPacketError::kBadBlockIndex;

    out.datagram = datagram;
    out.nv_header_offset = nv_offset;
    out.payload_offset = static_cast<uint32_t>(r.position());
    out.sequence = static_cast<uint16_t>(rtp[2] << 8 | rtp[3]);
    out.frame_index = load_le32(nv + 4);
    out.block_index = static_cast<uint8_t>(block_index);
    out.last_block_index = static_cast<uint8_t>(last_block_index);
    out.data_shards = static_cast<uint16_t>(data_shards);
    out.shard_index = static_cast<uint16_t>(shard_index);
    out.fec_percentage = static_cast<uint8_t>(percentage);
    out.parity_shards = static_cast<uint16_t>(parity_shards);
    return VideoPacketError::kNone;
}

uint32_t VideoPacket::rtp_timestamp() const { return load_be32(datagram + 4); }

uint32_t VideoPacket::stream_packet_index() const { return (load_le32(datagram + nv_header_offset) >> 8) & 0xFFFFFF; }

}  // namespace gsc
