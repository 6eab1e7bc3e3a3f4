// The video path on real Sunshine traffic (shared/captures): every access unit the receiver
// emits, put through the README's comparison rule, equals the reference client's decoder input
// frame by frame, and the FEC parity of every block is what our Reed-Solomon code computes.
#include <cstdio>

#include "test_harness.hpp"
#include "video_test_support.hpp"

using namespace video_test;

namespace {

gsc::VideoReceiverConfig receiver_config(const CaptureCase &c) {
    gsc::VideoReceiverConfig config;
    config.max_datagram_bytes = c.datagram_bytes;
    config.codec = c.codec;
    return config;
}

void check_capture_matches_reference(const CaptureCase &c) {
    VideoCapture capture;
    if (!load_capture(c, capture)) {
        std::fprintf(stderr, "  (skipped: %s not found; set GSC_CAPTURES_DIR)\n", c.folder);
        return;
    }
    gsc::VideoReceiver rx;
    REQUIRE(rx.init(receiver_config(c)) == gsc::VideoConfigError::kNone);
    const uint32_t payload_bytes = c.datagram_bytes - kHeaderBytes;
    size_t offset = 0;
    uint32_t frames = 0, key_frames = 0, compared = 0, requests = 0;
    uint32_t expected_frame = 1;
    for (const Datagram &d : capture.datagrams) {
        rx.receive(d.bytes.data(), d.bytes.size(), d.time_us);
        gsc::VideoOutput out;
        while (rx.poll(out)) {
            if (out.kind != gsc::VideoOutput::Kind::kAccessUnit) {
                requests++;
                continue;
            }
            const gsc::VideoAccessUnit &au = out.access_unit;
            CHECK_EQ(au.frame_index, expected_frame);
            expected_frame = au.frame_index + 1;
            frames++;
            if (au.key_frame) {
                key_frames++;
                CHECK_EQ(au.frame_type, 2);
            } else {
                CHECK_EQ(au.frame_type, 1);
            }
            if (frames > c.reference_frames) continue;
            const Bytes expected_form = reference_form(c.codec, au.data, au.size_bytes, payload_bytes);
            const bool fits = offset + expected_form.size() <= capture.annexb.size();
            CHECK(fits);
            if (fits && std::memcmp(capture.annexb.data() + offset, expected_form.data(), expected_form.size()) == 0) {
                compared++;
            } else {
                std::fprintf(stderr, "  frame %u differs from video.annexb at offset %zu\n", au.frame_index, offset);
            }
            offset += expected_form.size();
            // The README: the byte before the last-payload-length mark is never padding.
            CHECK(au.size_bytes > 0 && au.data[au.size_bytes - 1] != 0);
        }
    }
    CHECK_EQ(compared, c.reference_frames);
    CHECK_EQ(offset, capture.annexb.size());
    CHECK_EQ(frames, c.frames_on_wire);
    CHECK_EQ(key_frames, c.reference_idr_frames);
    CHECK_EQ(requests, 0u);
    const gsc::VideoCounters &n = rx.counters();
    CHECK_EQ(n.packets_received, capture.datagrams.size());
    CHECK_EQ(n.packets_malformed, 0u);
    CHECK_EQ(n.packets_duplicate, 0u);
    CHECK_EQ(n.frames_lost, 0u);
    CHECK_EQ(n.fec_blocks_recovered, 0u);
    CHECK_EQ(n.frames_emitted, c.frames_on_wire);
    // No loss: every parity packet arrives after its block's data and is dropped unstored.
    CHECK_EQ(n.parity_packets_stored, 0u);
    CHECK_EQ(n.data_packets_stored + n.packets_unneeded, capture.datagrams.size());
}

// Regenerates each block's parity from its data packets, at the offsets that the host does not
// rewrite after computing parity (data-plane.md §2.4 step 7: 16-19, 24-26, 32...).
void check_capture_parity(const CaptureCase &c) {
    VideoCapture capture;
    if (!load_capture(c, capture)) return;
    std::unique_ptr<gsc::ReedSolomon> rs(new gsc::ReedSolomon);
    rs->init();
    uint32_t parity_checked = 0, parity_total = 0;
    for (const BlockInfo &b : blocks_of(capture.datagrams)) {
        REQUIRE_EQ(b.packets.size(), size_t{b.data_shards} + b.parity_shards);
        std::vector<Bytes> data;
        for (uint32_t i = 0; i < b.data_shards; i++) {
            Bytes d = capture.datagrams[b.packets[i]].bytes;
            std::memset(&d[0], 0, 16);
            std::memset(&d[20], 0, 4);
            std::memset(&d[27], 0, 5);
            data.push_back(d);
        }
        std::vector<Bytes> parity(b.parity_shards, Bytes(c.datagram_bytes));
        std::vector<const uint8_t *> dp;
        std::vector<uint8_t *> pp;
        for (auto &d : data) dp.push_back(d.data());
        for (auto &p : parity) pp.push_back(p.data());
        rs->encode_cauchy(b.data_shards, b.parity_shards, dp.data(), pp.data(), c.datagram_bytes);
        for (uint32_t j = 0; j < b.parity_shards; j++) {
            parity_total++;
            const Bytes &wire = capture.datagrams[b.packets[b.data_shards + j]].bytes;
            const bool same = std::memcmp(&wire[16], &parity[j][16], 4) == 0 && std::memcmp(&wire[24], &parity[j][24], 3) == 0 &&
                              std::memcmp(&wire[32], &parity[j][32], c.datagram_bytes - 32) == 0;
            if (same) parity_checked++;
        }
    }
    CHECK(parity_total > 0);
    CHECK_EQ(parity_checked, parity_total);
}

}  // namespace

TEST(video_capture_sunshine_0_23_1_h264_every_access_unit_matches_the_reference_client) {
    check_capture_matches_reference(kCaptureCases[0]);
}

TEST(video_capture_sunshine_0_23_1_h265_every_access_unit_matches_the_reference_client) {
    check_capture_matches_reference(kCaptureCases[1]);
}

TEST(video_capture_sunshine_2026_817_h264_every_access_unit_matches_the_reference_client) {
    check_capture_matches_reference(kCaptureCases[2]);
}

TEST(video_capture_every_parity_packet_is_regenerated_by_our_cauchy_encoder) {
    for (const CaptureCase &c : kCaptureCases) check_capture_parity(c);
}

TEST(video_capture_in_place_receive_gives_the_same_access_units_as_copying_receive) {
    const CaptureCase &c = kCaptureCases[1];
    VideoCapture capture;
    if (!load_capture(c, capture)) return;
    gsc::VideoReceiver copying, in_place;
    REQUIRE(copying.init(receiver_config(c)) == gsc::VideoConfigError::kNone);
    REQUIRE(in_place.init(receiver_config(c)) == gsc::VideoConfigError::kNone);
    std::vector<Bytes> a, b;
    for (const Datagram &d : capture.datagrams) {
        copying.receive(d.bytes.data(), d.bytes.size(), d.time_us);
        REQUIRE(d.bytes.size() <= in_place.receive_buffer_bytes());
        std::memcpy(in_place.receive_buffer(), d.bytes.data(), d.bytes.size());
        in_place.receive_in_place(d.bytes.size(), d.time_us);
        gsc::VideoOutput out;
        while (copying.poll(out)) a.push_back(Bytes(out.access_unit.data, out.access_unit.data + out.access_unit.size_bytes));
        while (in_place.poll(out)) b.push_back(Bytes(out.access_unit.data, out.access_unit.data + out.access_unit.size_bytes));
    }
    CHECK_EQ(a.size(), size_t{c.frames_on_wire});
    CHECK(a == b);
}
