// Parsing of the RTP + NV video header (data-plane.md §2.1): known vectors, every truncation,
// and each check at its limit.
#include "test_harness.hpp"
#include "video_packet.hpp"

using gsc_test::Bytes;
using gsc_test::hex;

namespace {

// RTP 90 00 seq ts ssrc ext | spi frame flags extra mff mfb fecInfo | payload
Bytes packet(const char *rtp_and_nv_hex, const char *payload_hex = "01020304") {
    Bytes b = hex(rtp_and_nv_hex);
    const Bytes p = hex(payload_hex);
    b.insert(b.end(), p.begin(), p.end());
    return b;
}

struct FecInfoCase {
    const char *name;
    const char *fec_info_le_hex;
    uint16_t data_shards;
    uint16_t shard_index;
    uint8_t percentage;
    uint16_t parity_shards;
};

// The worked examples of data-plane.md §2.5.
const FecInfoCase kFecInfoCases[] = {
    {"k 8 shard 0 at 20 %", "40010002", 8, 0, 20, 2},
    {"k 8 shard 3 at 20 %", "40310002", 8, 3, 20, 2},
    {"k 8 parity shard 8 at 20 %", "40810002", 8, 8, 20, 2},
    {"k 1 shard 0 at 200 %", "800C4000", 1, 0, 200, 2},
};

}  // namespace

TEST(video_packet_sunshine_data_packet_fields_are_decoded) {
    // seq 0x1234, timestamp 0x00015F90, frame 7, spi = 0x1234 << 8, flags SOF|EOF|data,
    // mff 0x10, block 1 of 2 (0x50... bits 4-5 = 1, bits 6-7 = 1), fecInfo k 1 idx 0 p 200.
    const Bytes b = packet("90001234 00015F90 00000000 00000000  00341200 07000000 07 00 10 50 800C4000");
    gsc::VideoPacket p{};
    REQUIRE(gsc::parse_video_packet(b.data(), b.size(), p) == gsc::VideoPacketError::kNone);
    CHECK_EQ(p.nv_header_offset, 16u);
    CHECK_EQ(p.payload_offset, 32u);
    CHECK_EQ(p.sequence, 0x1234);
    CHECK_EQ(p.rtp_timestamp(), 0x15F90u);
    CHECK_EQ(p.stream_packet_index(), 0x1234u);
    CHECK_EQ(p.frame_index, 7u);
    CHECK_EQ(p.flags(), 0x07);
    CHECK_EQ(p.extra_flags(), 0);
    CHECK_EQ(p.multi_fec_flags(), 0x10);
    CHECK_EQ(p.block_index, 1);
    CHECK_EQ(p.last_block_index, 1);
    CHECK_EQ(p.data_shards, 1);
    CHECK_EQ(p.shard_index, 0);
    CHECK_EQ(p.fec_percentage, 200);
    CHECK_EQ(p.parity_shards, 2);
}

TEST(video_packet_fec_info_examples_of_the_protocol_notes_decode) {
    for (const FecInfoCase &c : kFecInfoCases) {
        Bytes b = packet("90000000 00000000 00000000 00000000  00000000 01000000 01 00 10 00");
        const Bytes fec = hex(c.fec_info_le_hex);
        b.insert(b.begin() + 28, fec.begin(), fec.end());
        gsc::VideoPacket p{};
        REQUIRE(gsc::parse_video_packet(b.data(), b.size(), p) == gsc::VideoPacketError::kNone);
        CHECK_EQ(p.data_shards, c.data_shards);
        CHECK_EQ(p.shard_index, c.shard_index);
        CHECK_EQ(p.fec_percentage, c.percentage);
        CHECK_EQ(p.parity_shards, c.parity_shards);
    }
}

TEST(video_packet_without_the_rtp_x_bit_the_nv_header_follows_12_bytes_of_rtp) {
    const Bytes b = packet("80000001 00000000 00000000  00010000 02000000 07 00 10 00 800C4000");
    gsc::VideoPacket p{};
    REQUIRE(gsc::parse_video_packet(b.data(), b.size(), p) == gsc::VideoPacketError::kNone);
    CHECK_EQ(p.nv_header_offset, 12u);
    CHECK_EQ(p.payload_offset, 28u);
    CHECK_EQ(p.frame_index, 2u);
}

TEST(video_packet_every_truncation_of_the_headers_is_too_short) {
    const Bytes b = packet("90000001 00000000 00000000 00000000  00010000 02000000 07 00 10 00 800C4000", "");
    for (size_t n = 0; n < b.size(); n++) {
        gsc::VideoPacket p{};
        CHECK(gsc::parse_video_packet(b.data(), n, p) == gsc::VideoPacketError::kTooShort);
    }
    gsc::VideoPacket p{};
    CHECK(gsc::parse_video_packet(b.data(), b.size(), p) == gsc::VideoPacketError::kNone);
}

TEST(video_packet_rtp_version_other_than_2_is_rejected) {
    const Bytes b = packet("50000001 00000000 00000000 00000000  00010000 02000000 07 00 10 00 800C4000");
    gsc::VideoPacket p{};
    CHECK(gsc::parse_video_packet(b.data(), b.size(), p) == gsc::VideoPacketError::kBadRtpVersion);
}

TEST(video_packet_shard_index_must_lie_below_data_plus_parity) {
    // k 1 at 200 %: m 2, so indices 0..2 are valid and 3 is one past the limit.
    const char *fec_infos[] = {"802C4000", "803C4000"};
    const gsc::VideoPacketError expected[] = {gsc::VideoPacketError::kNone, gsc::VideoPacketError::kBadFecInfo};
    for (int i = 0; i < 2; i++) {
        Bytes b = packet("90000000 00000000 00000000 00000000  00000000 01000000 01 00 10 00");
        const Bytes fec = hex(fec_infos[i]);
        b.insert(b.begin() + 28, fec.begin(), fec.end());
        gsc::VideoPacket p{};
        CHECK(gsc::parse_video_packet(b.data(), b.size(), p) == expected[i]);
    }
}

TEST(video_packet_zero_data_shards_is_rejected) {
    const Bytes b = packet("90000000 00000000 00000000 00000000  00000000 01000000 01 00 10 00 800C0000");
    gsc::VideoPacket p{};
    CHECK(gsc::parse_video_packet(b.data(), b.size(), p) == gsc::VideoPacketError::kBadFecInfo);
}

TEST(video_packet_block_index_above_the_last_block_index_is_rejected) {
    // multiFecBlocks 0x60: block 2, last 1.
    const Bytes b = packet("90000000 00000000 00000000 00000000  00000000 01000000 01 00 10 60 800C4000");
    gsc::VideoPacket p{};
    CHECK(gsc::parse_video_packet(b.data(), b.size(), p) == gsc::VideoPacketError::kBadBlockIndex);
}

TEST(video_packet_short_frame_header_last_payload_length_is_bounded_by_the_payload) {
    const Bytes header = hex("01 0000 01 6400 0000");  // last payload 100
    CHECK_EQ(gsc::short_header_last_payload_bytes(header.data(), 100), 100u);
    CHECK_EQ(gsc::short_header_last_payload_bytes(header.data(), 99), 0u);
    const Bytes long_header = hex("81 0000 01 6400 0000");
    CHECK_EQ(gsc::short_header_last_payload_bytes(long_header.data(), 1000), 0u);
    CHECK_EQ(gsc::short_header_last_payload_bytes(header.data(), 7), 0u);
}
