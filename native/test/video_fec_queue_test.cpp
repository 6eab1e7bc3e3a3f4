// The FEC queue on synthetic streams from a Sunshine-like packetizer (data-plane.md §2.4-§2.6):
// multi-block frames, loss and reordering inside and across blocks, duplicates, the window and
// pool limits, and packets that contradict their block.
#include <algorithm>

#include "test_harness.hpp"
#include "video_test_support.hpp"

using namespace video_test;

namespace {

struct Stream {
    std::vector<Bytes> bitstreams;             // per frame, frame index = position + 1
    std::vector<std::vector<Bytes>> packets;   // per frame
};

Stream make_stream(uint32_t frames, Prng &rng, uint32_t blocks_wanted = 0, size_t size = 0) {
    Stream s;
    Packetizer host;
    for (uint32_t f = 0; f < frames; f++) {
        const size_t n = size != 0 ? size : 20 + rng.below(6000);
        s.bitstreams.push_back(synthetic_bitstream(rng, n, f == 0));
        s.packets.push_back(host.frame(f + 1, s.bitstreams.back(), f == 0 ? 2 : 1, blocks_wanted));
    }
    return s;
}

std::vector<const Bytes *> flatten(const Stream &s) {
    std::vector<const Bytes *> out;
    for (const auto &frame : s.packets) {
        for (const Bytes &p : frame) out.push_back(&p);
    }
    return out;
}

uint32_t fec_info_k(const Bytes &p) { return le32(&p[28]) >> 22; }
uint32_t fec_info_index(const Bytes &p) { return (le32(&p[28]) >> 12) & 0x3FF; }
uint32_t block_of(const Bytes &p) { return (p[27] >> 4) & 3; }

}  // namespace

TEST(video_fec_queue_in_order_frames_come_out_exactly) {
    Prng rng{test_seed(21)};
    const Stream s = make_stream(40, rng);
    gsc::VideoCounters n{};
    const FecRun run = run_fec(flatten(s), gsc::VideoCodec::kH264, fec_config(1408), n);
    REQUIRE_EQ(run.order.size(), size_t{40});
    for (uint32_t f = 0; f < 40; f++) CHECK(run.frames.at(f + 1) == s.bitstreams[f]);
    CHECK(run.lost.empty());
    CHECK_EQ(n.parity_packets_stored, 0u);
}

TEST(video_fec_queue_multi_block_frames_survive_loss_in_every_block_and_block_reordering) {
    Prng rng{test_seed(22)};
    const Stream s = make_stream(6, rng, 3, 40000);
    std::vector<const Bytes *> datagrams;
    uint32_t dropped_blocks = 0;
    for (const auto &frame : s.packets) {
        // Drop the first data shard of every block, and send the blocks last to first.
        std::vector<const Bytes *> blocks[4];
        for (const Bytes &p : frame) {
            if (fec_info_index(p) == 0) {
                dropped_blocks++;
                continue;
            }
            blocks[block_of(p)].push_back(&p);
        }
        for (int b = 3; b >= 0; b--) datagrams.insert(datagrams.end(), blocks[b].begin(), blocks[b].end());
    }
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, fec_config(1408, 200), n);
    REQUIRE_EQ(run.order.size(), size_t{6});
    for (uint32_t f = 0; f < 6; f++) CHECK(run.frames.at(f + 1) == s.bitstreams[f]);
    CHECK_EQ(n.fec_blocks_recovered, uint64_t{dropped_blocks});
    CHECK_EQ(dropped_blocks, 18u);
}

// Parity reduced as it arrives must take in data shards that come after it: every block is
// sent parity first, then its data last to first, with two data shards lost.
TEST(video_fec_queue_parity_arriving_before_the_data_still_rebuilds_exactly) {
    Prng rng{test_seed(29)};
    const Stream s = make_stream(8, rng, 2, 30000);
    std::vector<const Bytes *> datagrams;
    uint32_t blocks = 0;
    for (const auto &frame : s.packets) {
        std::vector<const Bytes *> parity[4], data[4];
        for (const Bytes &p : frame) {
            const uint32_t index = fec_info_index(p);
            if (index >= fec_info_k(p)) {
                parity[block_of(p)].push_back(&p);
            } else if (index != 1 && index != 4) {
                data[block_of(p)].push_back(&p);
            }
        }
        for (uint32_t b = 0; b < 4; b++) {
            if (parity[b].empty() && data[b].empty()) continue;
            blocks++;
            datagrams.insert(datagrams.end(), parity[b].begin(), parity[b].end());
            datagrams.insert(datagrams.end(), data[b].rbegin(), data[b].rend());
        }
    }
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, fec_config(1408, 400), n);
    REQUIRE_EQ(run.order.size(), size_t{8});
    for (uint32_t f = 0; f < 8; f++) CHECK(run.frames.at(f + 1) == s.bitstreams[f]);
    CHECK(run.lost.empty());
    CHECK_EQ(n.fec_blocks_recovered, uint64_t{blocks});
    // A block is rebuilt once any k shards are in, so shards still on their way count too.
    CHECK(n.fec_shards_recovered >= uint64_t{2} * blocks);
}

TEST(video_fec_queue_a_frame_with_a_block_short_of_k_shards_is_lost_and_the_rest_come_out) {
    Prng rng{test_seed(23)};
    const Stream s = make_stream(10, rng, 0, 3000);  // 3 data + 2 parity per frame
    std::vector<const Bytes *> datagrams;
    for (uint32_t f = 0; f < 10; f++) {
        for (size_t i = 0; i < s.packets[f].size(); i++) {
            if (f == 4 && i < 3) continue;  // frame 5 keeps only its 2 parity shards
            datagrams.push_back(&s.packets[f][i]);
        }
    }
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, fec_config(1408), n);
    CHECK(run.lost == std::vector<uint32_t>{5});
    CHECK_EQ(run.order.size(), size_t{9});
    CHECK_EQ(run.frames.count(5), size_t{0});
    for (uint32_t f : run.order) CHECK(run.frames.at(f) == s.bitstreams[f - 1]);
    CHECK_EQ(n.frames_lost, 1u);
}

TEST(video_fec_queue_frames_lost_whole_are_reported_as_one_range) {
    Prng rng{test_seed(24)};
    const Stream s = make_stream(12, rng);
    std::vector<const Bytes *> datagrams;
    for (uint32_t f = 0; f < 12; f++) {
        if (f >= 3 && f <= 6) continue;  // frames 4-7 never arrive
        for (const Bytes &p : s.packets[f]) datagrams.push_back(&p);
    }
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, fec_config(1408), n);
    CHECK((run.lost == std::vector<uint32_t>{4, 5, 6, 7}));
    CHECK_EQ(run.order.size(), size_t{8});
}

TEST(video_fec_queue_duplicates_are_counted_and_change_nothing) {
    Prng rng{test_seed(25)};
    const Stream s = make_stream(20, rng);
    std::vector<const Bytes *> datagrams;
    for (const auto &frame : s.packets) {
        for (const Bytes &p : frame) {
            datagrams.push_back(&p);
            datagrams.push_back(&p);
        }
    }
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, fec_config(1408), n);
    REQUIRE_EQ(run.order.size(), size_t{20});
    for (uint32_t f = 0; f < 20; f++) CHECK(run.frames.at(f + 1) == s.bitstreams[f]);
    CHECK(n.packets_duplicate + n.packets_late + n.packets_unneeded >= flatten(s).size());
    CHECK_EQ(n.frames_lost, 0u);
}

TEST(video_fec_queue_a_packet_beyond_the_frame_window_gives_up_older_open_frames) {
    Prng rng{test_seed(26)};
    const Stream s = make_stream(12, rng, 0, 3000);
    std::vector<const Bytes *> datagrams;
    datagrams.push_back(&s.packets[0][0]);               // frame 1 opened, incomplete
    for (const Bytes &p : s.packets[4]) datagrams.push_back(&p);  // frame 5 = base + 4
    // With a window of 4 frames, frame 5 forces frames 1..1 out.
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, fec_config(1408, 1000, 4), n);
    CHECK((run.lost == std::vector<uint32_t>{1}));
    CHECK(run.order.empty());  // frames 2-4 are still awaited (tolerance 1000)
}

TEST(video_fec_queue_a_frame_index_jump_beyond_the_limit_is_malformed_and_below_it_skips_frames) {
    Prng rng{test_seed(27)};
    Packetizer host;
    const Bytes bits = synthetic_bitstream(rng, 100, false);
    const std::vector<Bytes> far = host.frame(1 + gsc::kMaxFrameIndexJump, bits);
    const std::vector<Bytes> near = host.frame(gsc::kMaxFrameIndexJump, bits);
    std::vector<const Bytes *> datagrams;
    for (const Bytes &p : far) datagrams.push_back(&p);
    for (const Bytes &p : near) datagrams.push_back(&p);
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, fec_config(1408), n);
    CHECK_EQ(n.packets_malformed, uint64_t{far.size()});
    REQUIRE_EQ(run.lost.size(), size_t{gsc::kMaxFrameIndexJump - 1});
    CHECK_EQ(run.lost.front(), 1u);
    CHECK_EQ(run.lost.back(), gsc::kMaxFrameIndexJump - 1);
    CHECK((run.order == std::vector<uint32_t>{gsc::kMaxFrameIndexJump}));
}

TEST(video_fec_queue_packets_that_contradict_their_block_or_frame_are_malformed) {
    Prng rng{test_seed(28)};
    const Stream s = make_stream(2, rng, 0, 3000);
    std::vector<Bytes> bad;
    Bytes shorter = s.packets[0][1];
    shorter.pop_back();  // another size within the frame
    bad.push_back(shorter);
    Bytes other_k = s.packets[0][1];
    other_k[31] ^= 0x40;  // k changes
    bad.push_back(other_k);
    Bytes other_seq = s.packets[0][1];
    other_seq[3] ^= 0x10;  // first sequence of the block moves
    bad.push_back(other_seq);
    std::vector<const Bytes *> datagrams = {&s.packets[0][0]};
    for (const Bytes &b : bad) datagrams.push_back(&b);
    for (size_t i = 1; i < s.packets[0].size(); i++) datagrams.push_back(&s.packets[0][i]);
    for (const Bytes &p : s.packets[1]) datagrams.push_back(&p);
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, fec_config(1408), n);
    CHECK_EQ(n.packets_malformed, uint64_t{bad.size()});
    REQUIRE_EQ(run.order.size(), size_t{2});
    CHECK(run.frames.at(1) == s.bitstreams[0]);
}

TEST(video_fec_queue_blocks_over_the_shard_limit_and_frames_over_the_block_limit_are_lost) {
    Prng rng{test_seed(29)};
    // 8 data shards + 2 parity = 10: over a limit of 9, at a limit of 10.
    const Stream s = make_stream(1, rng, 1, 8 * 1376 - 8);
    for (uint32_t limit : {9u, 10u}) {
        gsc::VideoFecConfig config = fec_config(1408);
        config.max_shards_per_block = limit;
        config.max_blocks_per_frame = 1;
        config.max_held_packets = 2 * limit;
        gsc::VideoCounters n{};
        const FecRun run = run_fec(flatten(s), gsc::VideoCodec::kH264, config, n);
        CHECK_EQ(run.order.size(), size_t{limit == 10 ? 1u : 0u});
        CHECK_EQ(n.frames_oversize, uint64_t{limit == 10 ? 0u : 1u});
    }
    // Two blocks over a limit of one block per frame.
    const Stream two = make_stream(1, rng, 2, 3000);
    gsc::VideoFecConfig config = fec_config(1408);
    config.max_blocks_per_frame = 1;
    config.max_held_packets = 2 * 255;
    gsc::VideoCounters n{};
    const FecRun run = run_fec(flatten(two), gsc::VideoCodec::kH264, config, n);
    CHECK(run.order.empty());
    CHECK_EQ(n.frames_oversize, 1u);
}

TEST(video_fec_queue_an_exhausted_pool_gives_up_the_oldest_other_frame) {
    Prng rng{test_seed(30)};
    const Stream s = make_stream(8, rng, 1, 3000);  // 3 data + 2 parity per frame
    gsc::VideoFecConfig config = fec_config(1408, 1000);
    config.max_shards_per_block = 5;
    config.max_blocks_per_frame = 1;
    config.max_held_packets = 10;
    std::vector<const Bytes *> datagrams;
    for (uint32_t f = 0; f < 6; f++) {
        for (uint32_t i = 0; i < 2; i++) datagrams.push_back(&s.packets[f][i]);  // 2 of 3 data each
    }
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, config, n);
    // 10 slots (plus the receive spare) hold frames 1-5; frame 6's first packet needs a slot,
    // so the oldest other frame, 1, gives way.
    CHECK((run.lost == std::vector<uint32_t>{1}));
    CHECK_EQ(n.frames_lost, 1u);
    CHECK_EQ(n.data_packets_stored, 12u);
}

TEST(video_fec_queue_a_rebuilt_shard_that_fails_the_flag_checks_loses_the_frame) {
    Prng rng{test_seed(31)};
    const Stream s = make_stream(2, rng, 0, 3000);
    Bytes corrupt_parity = s.packets[0][3];
    corrupt_parity[24] ^= 0x40;  // rebuilt flags of the missing data shard gain an unknown bit
    std::vector<const Bytes *> datagrams = {&s.packets[0][0], &s.packets[0][2], &corrupt_parity};
    for (const Bytes &p : s.packets[1]) datagrams.push_back(&p);
    gsc::VideoCounters n{};
    const FecRun run = run_fec(datagrams, gsc::VideoCodec::kH264, fec_config(1408), n);
    CHECK_EQ(n.fec_recovery_rejected, 1u);
    CHECK((run.lost == std::vector<uint32_t>{1}));
    CHECK((run.order == std::vector<uint32_t>{2}));
}

TEST(video_fec_queue_reordering_raises_the_tolerance_to_the_distance_seen) {
    Prng rng{test_seed(32)};
    const Stream s = make_stream(3, rng, 0, 3000);
    std::vector<const Bytes *> datagrams = flatten(s);
    std::swap(datagrams[1], datagrams[2]);  // data shard 1 one place late, and still needed
    gsc::VideoFecQueue queue;
    gsc::VideoCounters n{};
    REQUIRE(queue.init(fec_config(1408), &n) == gsc::VideoConfigError::kNone);
    for (const Bytes *d : datagrams) queue.receive(d->data(), d->size(), 0, false);
    CHECK_EQ(queue.reorder_tolerance(), 1u);
}

TEST(video_fec_queue_rebuilding_only_the_last_payload_gives_the_same_frames) {
    Prng rng{test_seed(33)};
    const Stream s = make_stream(30, rng);
    std::vector<const Bytes *> datagrams;
    for (const auto &frame : s.packets) {
        const uint32_t k = fec_info_k(frame[0]);
        for (size_t i = 0; i < frame.size(); i++) {
            if (i + 1 == k) continue;  // lose every frame's last data shard
            datagrams.push_back(&frame[i]);
        }
    }
    gsc::VideoFecConfig trimmed = fec_config(1408), full = fec_config(1408);
    full.rebuild_only_last_payload = false;
    gsc::VideoCounters a{}, b{};
    const FecRun run_trimmed = run_fec(datagrams, gsc::VideoCodec::kH264, trimmed, a);
    const FecRun run_full = run_fec(datagrams, gsc::VideoCodec::kH264, full, b);
    CHECK_EQ(run_trimmed.order.size(), size_t{30});
    CHECK(run_trimmed.frames == run_full.frames);
    for (uint32_t f = 0; f < 30; f++) CHECK(run_trimmed.frames.at(f + 1) == s.bitstreams[f]);
    CHECK_EQ(a.fec_blocks_recovered, 30u);
}

TEST(video_fec_queue_configuration_limits_are_checked_one_past_each) {
    gsc::VideoCounters n{};
    struct Case {
        gsc::VideoFecConfig config;
        gsc::VideoConfigError expected;
    };
    const gsc::VideoFecConfig ok = fec_config(1408);
    gsc::VideoFecConfig c1 = ok, c2 = ok, c3 = ok, c4 = ok, c5 = ok, c6 = ok, c7 = ok;
    c1.max_datagram_bytes = gsc::kMaxVideoDatagramBytes + 1;
    c2.max_shards_per_block = gsc::kMaxShardsPerBlockField + 1;
    c3.max_blocks_per_frame = gsc::kMaxBlocksPerFrameField + 1;
    c4.max_frames_in_flight = gsc::kMaxFramesInFlight + 1;
    c5.max_held_packets = (c5.max_blocks_per_frame + 1) * c5.max_shards_per_block - 1;
    c6.reorder_tolerance_packets = gsc::kMaxReorderTolerance + 1;
    c7.max_datagram_bytes = 32;  // headers and no payload byte
    const Case cases[] = {
        {ok, gsc::VideoConfigError::kNone},
        {c1, gsc::VideoConfigError::kBadDatagramSize},
        {c2, gsc::VideoConfigError::kBadShardsPerBlock},
        {c3, gsc::VideoConfigError::kBadBlocksPerFrame},
        {c4, gsc::VideoConfigError::kBadFramesInFlight},
        {c5, gsc::VideoConfigError::kBadHeldPackets},
        {c6, gsc::VideoConfigError::kBadReorderTolerance},
        {c7, gsc::VideoConfigError::kBadDatagramSize},
    };
    for (const Case &c : cases) {
        gsc::VideoFecQueue queue;
        CHECK(queue.init(c.config, &n) == c.expected);
    }
}
