// Parsing of audio datagrams (audio_packet.hpp, data-plane.md §3.1 and §3.3).
#include "audio_packet.hpp"
#include "test_harness.hpp"

using gsc_test::Bytes;
using gsc_test::hex;

namespace {

struct ParseCase {
    const char *name;
    const char *datagram_hex;
    gsc::AudioParseError expected;
};

const ParseCase kParseCases[] = {
    {"empty datagram", "", gsc::AudioParseError::kTooShort},
    {"rtp header cut short", "80 61 00 64 00 00 01 f4 00 00 00", gsc::AudioParseError::kTooShort},
    {"data with no payload", "80 61 00 64 00 00 01 f4 00 00 00 00", gsc::AudioParseError::kTooShort},
    {"rtp version 1", "40 61 00 64 00 00 01 f4 00 00 00 00 aa", gsc::AudioParseError::kBadRtpHeader},
    {"rtp padding bit", "a0 61 00 64 00 00 01 f4 00 00 00 00 aa", gsc::AudioParseError::kBadRtpHeader},
    {"rtp extension bit", "90 61 00 64 00 00 01 f4 00 00 00 00 aa", gsc::AudioParseError::kBadRtpHeader},
    {"rtp csrc count", "81 61 00 64 00 00 01 f4 00 00 00 00 aa", gsc::AudioParseError::kBadRtpHeader},
    {"video payload type 0", "80 00 00 64 00 00 01 f4 00 00 00 00 aa", gsc::AudioParseError::kUnknownPayloadType},
    {"payload type 98", "80 62 00 64 00 00 01 f4 00 00 00 00 aa", gsc::AudioParseError::kUnknownPayloadType},
    {"fec header cut short", "80 7f 00 68 00 00 00 00 00 00 00 00 00 61 00 64 00 00 01 f4 00 00 00",
     gsc::AudioParseError::kTooShort},
    {"fec with no parity bytes", "80 7f 00 68 00 00 00 00 00 00 00 00 00 61 00 64 00 00 01 f4 00 00 00 00",
     gsc::AudioParseError::kTooShort},
    {"fec shard index 2 (only two parity rows)",
     "80 7f 00 68 00 00 00 00 00 00 00 00 02 61 00 64 00 00 01 f4 00 00 00 00 aa", gsc::AudioParseError::kBadFecHeader},
    {"fec protecting payload type 98", "80 7f 00 68 00 00 00 00 00 00 00 00 00 62 00 64 00 00 01 f4 00 00 00 00 aa",
     gsc::AudioParseError::kBadFecHeader},
    {"data packet", "80 61 00 64 00 00 01 f4 00 00 00 00 aa bb", gsc::AudioParseError::kNone},
    {"data packet with the marker bit", "80 e1 00 64 00 00 01 f4 00 00 00 00 aa", gsc::AudioParseError::kNone},
    {"fec packet", "80 7f 00 68 00 00 00 00 00 00 00 00 01 61 00 64 00 00 01 f4 00 00 00 00 aa bb",
     gsc::AudioParseError::kNone},
};

}  // namespace

TEST(audio_packet_parse_table_accepts_sunshine_shapes_and_rejects_the_rest) {
    for (const ParseCase &c : kParseCases) {
        const Bytes datagram = hex(c.datagram_hex);
        gsc::AudioPacket packet{};
        const gsc::AudioParseError result = gsc::parse_audio_packet(datagram.data(), datagram.size(), packet);
        if (result != c.expected) {
            ::gsc_test::report_failure(__FILE__, __LINE__, std::string("case '") + c.name + "': result " +
                                                               std::to_string(static_cast<int>(result)));
        }
    }
}

TEST(audio_packet_data_fields_are_read_big_endian_and_the_payload_is_borrowed) {
    const Bytes datagram = hex("80 61 12 34 89 ab cd ef 00 00 00 00 01 02 03");
    gsc::AudioPacket packet{};
    REQUIRE(gsc::parse_audio_packet(datagram.data(), datagram.size(), packet) == gsc::AudioParseError::kNone);
    CHECK(packet.kind == gsc::AudioPacketKind::kData);
    CHECK_EQ(packet.sequence, 0x1234);
    CHECK_EQ(packet.timestamp_ms, 0x89abcdefu);
    CHECK(packet.payload == datagram.data() + 12);
    CHECK_EQ(packet.payload_size_bytes, size_t{3});
}

TEST(audio_packet_fec_header_gives_shard_index_base_sequence_and_timestamp) {
    // A parity packet as Sunshine sends it (§3.3): RTP seq = last data seq + 1 + index,
    // timestamp 0, then index 1, PT 97, base seq 0x0064, base timestamp 500, SSRC 0.
    const Bytes datagram = hex("80 7f 00 69 00 00 00 00 00 00 00 00 01 61 00 64 00 00 01 f4 00 00 00 00 de ad");
    gsc::AudioPacket packet{};
    REQUIRE(gsc::parse_audio_packet(datagram.data(), datagram.size(), packet) == gsc::AudioParseError::kNone);
    CHECK(packet.kind == gsc::AudioPacketKind::kFec);
    CHECK_EQ(packet.fec_shard_index, 1);
    CHECK_EQ(packet.fec_base_sequence, 0x64);
    CHECK_EQ(packet.fec_base_timestamp_ms, 500u);
    CHECK(packet.payload == datagram.data() + 24);
    CHECK_EQ(packet.payload_size_bytes, size_t{2});
}

TEST(audio_packet_every_truncation_of_a_valid_packet_is_refused_without_reading_past_it) {
    const Bytes full = hex("80 7f 00 69 00 00 00 00 00 00 00 00 01 61 00 64 00 00 01 f4 00 00 00 00 de ad");
    for (size_t size = 0; size < 25; ++size) {
        // A heap copy of exactly `size` bytes, so AddressSanitizer sees any over-read.
        Bytes cut(full.begin(), full.begin() + static_cast<long>(size));
        cut.shrink_to_fit();
        gsc::AudioPacket packet{};
        CHECK(gsc::parse_audio_packet(cut.data(), cut.size(), packet) == gsc::AudioParseError::kTooShort);
    }
}
