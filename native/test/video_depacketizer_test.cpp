// Access-unit assembly and key-frame classification (data-plane.md §2.3, §2.7, §2.8).
#include "test_harness.hpp"
#include "video_test_support.hpp"

using namespace video_test;
using gsc_test::hex;

namespace {

struct KeyCase {
    const char *name;
    gsc::VideoCodec codec;
    const char *access_unit_hex;
    uint8_t frame_type;
    bool key;
};

const KeyCase kKeyCases[] = {
    {"h264 sps pps idr", gsc::VideoCodec::kH264, "00000001 67 4d  00000001 68 ee  00000001 65 88 84", 2, true},
    {"h264 aud sei sps pps sei idr", gsc::VideoCodec::kH264, "00000001 09 10  000001 06 05 01  00000001 67 4d  000001 68 ee  000001 06 05  000001 65 88", 2, true},
    {"h264 p slice", gsc::VideoCodec::kH264, "00000001 41 9a 00 11", 1, false},
    {"h264 sps pps then a non-idr slice", gsc::VideoCodec::kH264, "00000001 67 4d  00000001 68 ee  00000001 41 9a", 1, false},
    {"h264 pps before the idr (no sps first)", gsc::VideoCodec::kH264, "00000001 68 ee  00000001 65 88", 1, false},
    {"h264 sps without any slice", gsc::VideoCodec::kH264, "00000001 67 4d  00000001 68 ee", 2, false},
    {"h264 no start code at all", gsc::VideoCodec::kH264, "67 4d 68 ee 65 88", 2, false},
    {"h264 garbage before the first start code", gsc::VideoCodec::kH264, "ff ff 00000001 67 4d 000001 65 88", 2, true},
    {"hevc vps sps pps idr_w_radl", gsc::VideoCodec::kH265, "00000001 4001 0c  00000001 4201 01  00000001 4401 c0  00000001 2601 af", 2, true},
    {"hevc aud vps sps pps cra", gsc::VideoCodec::kH265, "00000001 4601 50  00000001 4001 0c  00000001 4201 01  00000001 4401 c0  00000001 2a01 af", 2, true},
    {"hevc trail_r", gsc::VideoCodec::kH265, "00000001 0201 d0", 1, false},
    {"hevc prefix sei then trail_r", gsc::VideoCodec::kH265, "00000001 4e01 05  00000001 0201 d0", 1, false},
    {"av1 idr by frame type", gsc::VideoCodec::kAv1, "12 00 0a 0b", 2, true},
    {"av1 p by frame type", gsc::VideoCodec::kAv1, "12 00 0a 0b", 1, false},
};

struct Built {
    std::unique_ptr<gsc::VideoFecQueue> queue;
    gsc::VideoCounters counters{};
    gsc::FecFrameInfo head{};
};

// A queue holding one complete frame made of `frame_data` (header included) split into shards.
bool build(Built &b, const Bytes &framed, uint32_t datagram_bytes = 1408) {
    b.queue.reset(new gsc::VideoFecQueue);
    if (b.queue->init(fec_config(datagram_bytes), &b.counters) != gsc::VideoConfigError::kNone) return false;
    const uint32_t s = datagram_bytes - 32;
    const uint32_t k = static_cast<uint32_t>((framed.size() + s - 1) / s);
    for (uint32_t i = 0; i < k; i++) {
        Bytes d(datagram_bytes, 0);
        d[0] = 0x90;
        d[3] = static_cast<uint8_t>(i);
        d[20] = 1;  // frame 1
        d[24] = static_cast<uint8_t>(0x01 | (i == 0 ? 0x04 : 0) | (i + 1 == k ? 0x02 : 0));
        d[26] = 0x10;
        Packetizer::put32le(&d[28], k << 22 | i << 12);  // no FEC
        const size_t from = size_t{i} * s;
        std::copy(framed.begin() + from, framed.begin() + std::min(framed.size(), from + s), d.begin() + 32);
        b.queue->receive(d.data(), d.size(), 0, false);
    }
    return b.queue->head_complete(b.head);
}

Bytes framed_with_header(const Bytes &bitstream, uint8_t type_byte, uint32_t last_payload, uint8_t frame_type = 1) {
    Bytes f(8, 0);
    f[0] = type_byte;
    f[1] = 0x2a;  // host latency 4.2 ms
    f[3] = frame_type;
    f[4] = static_cast<uint8_t>(last_payload);
    f[5] = static_cast<uint8_t>(last_payload >> 8);
    f.insert(f.end(), bitstream.begin(), bitstream.end());
    return f;
}

}  // namespace

TEST(video_depacketizer_key_frames_are_told_by_their_leading_nal_units) {
    for (const KeyCase &c : kKeyCases) {
        const Bytes au = hex(c.access_unit_hex);
        const bool key = gsc::is_key_frame(c.codec, au.data(), au.size(), c.frame_type);
        if (key != c.key) std::fprintf(stderr, "  case: %s\n", c.name);
        CHECK_EQ(key, c.key);
    }
}

TEST(video_depacketizer_access_unit_is_the_bitstream_cut_at_the_last_payload_length) {
    Prng rng{41};
    for (size_t size : {size_t{1}, size_t{100}, size_t{1368}, size_t{1369}, size_t{3000}, size_t{2 * 1376 - 8}}) {
        const Bytes bits = synthetic_bitstream(rng, size < 8 ? 8 : size, false);
        const uint32_t s = 1376;
        uint32_t last = static_cast<uint32_t>((bits.size() + 8) % s);
        if (last == 0) last = s;
        Built b;
        REQUIRE(build(b, framed_with_header(bits, 0x01, last)));
        Bytes out(1 << 16);
        gsc::AccessUnitInfo info{};
        REQUIRE(gsc::assemble_access_unit(*b.queue, b.head, depacketizer_config(gsc::VideoCodec::kH264), out.data(), info) ==
                gsc::AssembleError::kNone);
        CHECK(Bytes(info.data, info.data + info.size_bytes) == bits);
        CHECK_EQ(info.host_latency_100us, 0x2a);
        CHECK_EQ(info.frame_type, 1);
    }
}

TEST(video_depacketizer_without_trimming_the_padding_of_the_last_packet_stays) {
    Prng rng{42};
    const Bytes bits = synthetic_bitstream(rng, 500, false);
    Built b;
    REQUIRE(build(b, framed_with_header(bits, 0x01, 508)));
    gsc::DepacketizerConfig config = depacketizer_config(gsc::VideoCodec::kH264);
    config.trim_to_last_payload_length = false;
    Bytes out(1 << 16);
    gsc::AccessUnitInfo info{};
    REQUIRE(gsc::assemble_access_unit(*b.queue, b.head, config, out.data(), info) == gsc::AssembleError::kNone);
    Bytes expected = bits;
    expected.resize(1376 - 8, 0);
    CHECK(Bytes(info.data, info.data + info.size_bytes) == expected);
}

TEST(video_depacketizer_a_long_frame_header_is_skipped_by_its_configured_size) {
    Prng rng{43};
    const Bytes bits = synthetic_bitstream(rng, 200, false);
    Bytes framed(24, 0);
    framed[0] = 0x81;
    framed[3] = 1;
    framed.insert(framed.end(), bits.begin(), bits.end());
    Built b;
    REQUIRE(build(b, framed));
    Bytes out(1 << 16);
    gsc::AccessUnitInfo info{};
    REQUIRE(gsc::assemble_access_unit(*b.queue, b.head, depacketizer_config(gsc::VideoCodec::kH264), out.data(), info) ==
            gsc::AssembleError::kNone);
    // No trimming for the long form: the padding stays.
    CHECK_EQ(info.size_bytes, 1376u - 24u);
    CHECK(Bytes(info.data, info.data + 200) == bits);
}

TEST(video_depacketizer_bad_headers_lengths_and_sizes_are_refused) {
    Prng rng{44};
    const Bytes bits = synthetic_bitstream(rng, 100, false);
    struct Case {
        const char *name;
        Bytes framed;
        uint32_t max_frame_bytes;
        gsc::AssembleError expected;
    };
    const Case cases[] = {
        {"unknown header type", framed_with_header(bits, 0x02, 108), 4096, gsc::AssembleError::kBadFrameHeader},
        {"last payload 0", framed_with_header(bits, 0x01, 0), 4096, gsc::AssembleError::kBadLastPayloadLength},
        {"last payload past the packet", framed_with_header(bits, 0x01, 1377), 4096, gsc::AssembleError::kBadLastPayloadLength},
        {"last payload covers only the header", framed_with_header(bits, 0x01, 8), 4096, gsc::AssembleError::kBadLastPayloadLength},
        {"one byte over the frame limit", framed_with_header(bits, 0x01, 108), 99, gsc::AssembleError::kTooLarge},
        {"exactly at the frame limit", framed_with_header(bits, 0x01, 108), 100, gsc::AssembleError::kNone},
    };
    for (const Case &c : cases) {
        Built b;
        REQUIRE(build(b, c.framed));
        gsc::DepacketizerConfig config = depacketizer_config(gsc::VideoCodec::kH264);
        config.max_frame_bytes = c.max_frame_bytes;
        Bytes out(1 << 16);
        gsc::AccessUnitInfo info{};
        const gsc::AssembleError got = gsc::assemble_access_unit(*b.queue, b.head, config, out.data(), info);
        if (got != c.expected) std::fprintf(stderr, "  case: %s\n", c.name);
        CHECK(got == c.expected);
    }
}

TEST(video_depacketizer_a_first_packet_shorter_than_the_frame_header_is_refused) {
    // 36-byte datagrams: 4 payload bytes per packet, less than the 8-byte header.
    Built b;
    REQUIRE(build(b, framed_with_header(hex("00000001 41 9a"), 0x01, 2), 36));
    Bytes out(1 << 16);
    gsc::AccessUnitInfo info{};
    CHECK(gsc::assemble_access_unit(*b.queue, b.head, depacketizer_config(gsc::VideoCodec::kH264), out.data(), info) ==
          gsc::AssembleError::kBadFrameHeader);
}
