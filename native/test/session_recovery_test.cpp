// Losses and attacks on recorded traffic: an encrypted video datagram whose nonce, tag or
// ciphertext was altered fails authentication and is repaired by FEC like a lost packet, while
// the unauthenticated frame-number hint changes nothing (data-plane.md §2.9); a lost frame
// makes the video path ask for an IDR, which the session routes to the control stream (§2.8);
// an access unit not drained before the next video datagram is dropped and counted.
#include <cstdio>

#include "session_test_support.hpp"
#include "test_harness.hpp"

using session_test::Capture;
using session_test::Input;
using session_test::Output;
using session_test::SessionCase;

namespace {

constexpr size_t kHintOffset = 12;
constexpr size_t kClearFrameIndexOffset = 20;

uint32_t le32(const uint8_t *p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24; }

bool load(const SessionCase &c, Capture &capture) {
    if (session_test::load_capture(c, capture)) return true;
    std::fprintf(stderr, "  (skipped: %s not found; set GSC_CAPTURES_DIR)\n", c.folder);
    return false;
}

Output run(const gsc_session_config &config, const std::vector<Input> &inputs, gsc_session_counters &stats) {
    Output out;
    gsc_session *s = nullptr;
    if (gsc_session_create(&config, sizeof config, &s) != GSC_OK) return out;
    session_test::replay(s, inputs, out);
    if (gsc_session_stats(s, &stats, sizeof stats) != GSC_OK) stats = gsc_session_counters{};
    gsc_session_destroy(s);
    return out;
}

// Index of the first video datagram of `frame` (its first data packet: the host sends a
// frame's data shards first), found by the frame number at `offset`.
size_t first_datagram_of(const std::vector<Input> &inputs, uint32_t frame, size_t offset) {
    for (size_t i = 0; i < inputs.size(); i++) {
        const Input &in = inputs[i];
        if (in.channel == GSC_SESSION_CHANNEL_VIDEO && in.bytes.size() > offset + 4 && le32(in.bytes.data() + offset) == frame) return i;
    }
    return inputs.size();
}

bool same_frames(const Output &a, const Output &b) {
    if (a.frames.size() != b.frames.size()) return false;
    for (size_t i = 0; i < a.frames.size(); i++) {
        if (a.frames[i].data != b.frames[i].data) return false;
    }
    return true;
}

}  // namespace

TEST(session_altered_encrypted_video_fails_authentication_and_fec_repairs_it) {
    const SessionCase &c = session_test::kSessionCases[3];
    Capture capture;
    if (!load(c, capture)) return;
    const gsc_session_config config = session_test::config_for(c, capture, GSC_SESSION_FLAG_AUDIO_NO_DECODE);
    gsc_session_counters clean_stats{};
    const Output clean = run(config, capture.inputs, clean_stats);

    struct Alteration {
        uint32_t frame;
        size_t offset;  // nonce, tag, ciphertext
    };
    const Alteration alterations[] = {{10, 3}, {20, 20}, {30, 40}, {40, 1407}};
    std::vector<Input> altered = capture.inputs;
    for (const Alteration &a : alterations) {
        const size_t i = first_datagram_of(altered, a.frame, kHintOffset);
        REQUIRE(i < altered.size());
        altered[i].bytes[a.offset] ^= 0x01;
    }
    gsc_session_counters stats{};
    const Output out = run(config, altered, stats);
    CHECK_EQ(stats.video_decrypt_failures, 4u);
    CHECK_EQ(stats.frames_recovered, 4u);
    CHECK_EQ(stats.frames_complete, c.frames_on_wire);
    CHECK_EQ(stats.idr_requests, 0u);
    CHECK(same_frames(out, clean));
    CHECK_EQ(clean_stats.video_decrypt_failures, 0u);
    CHECK_EQ(clean_stats.frames_recovered, 0u);
}

TEST(session_encrypted_video_frame_hint_only_ever_costs_the_datagram_that_carries_it) {
    const SessionCase &c = session_test::kSessionCases[3];
    Capture capture;
    if (!load(c, capture)) return;
    const gsc_session_config config = session_test::config_for(c, capture, GSC_SESSION_FLAG_AUDIO_NO_DECODE);
    gsc_session_counters clean_stats{};
    const Output clean = run(config, capture.inputs, clean_stats);
    struct Case {
        uint32_t frame;
        uint32_t hint;
        uint32_t stale;  // 1: the datagram is skipped and its block rebuilt
    };
    // A hint ahead and no hint decrypt as usual; a hint of a finished frame makes the session
    // skip that datagram, and FEC rebuilds it.
    const Case cases[] = {{50, 50 + 100000, 0}, {60, 0, 0}, {70, 1, 1}};
    for (const Case &k : cases) {
        std::vector<Input> altered = capture.inputs;
        const size_t i = first_datagram_of(altered, k.frame, kHintOffset);
        REQUIRE(i < altered.size());
        for (size_t b = 0; b < 4; b++) altered[i].bytes[kHintOffset + b] = static_cast<uint8_t>(k.hint >> (8 * b));
        gsc_session_counters stats{};
        const Output out = run(config, altered, stats);
        CHECK_EQ(stats.video_decrypt_failures, 0u);
        // (A rebuilt block's parity is decrypted instead of skipped, so only the clean cases
        // keep the clean run's count of skipped datagrams.)
        if (k.stale == 0) CHECK_EQ(stats.video_stale, clean_stats.video_stale);
        CHECK_EQ(stats.frames_recovered, k.stale);
        CHECK(same_frames(out, clean));
    }
}

TEST(session_video_under_another_key_never_authenticates_and_no_frame_comes_out) {
    const SessionCase &c = session_test::kSessionCases[3];
    Capture capture;
    if (!load(c, capture)) return;
    gsc_session_config config = session_test::config_for(c, capture, GSC_SESSION_FLAG_AUDIO_NO_DECODE);
    config.aes_key[15] ^= 0x80;
    gsc_session_counters stats{};
    const Output out = run(config, capture.inputs, stats);
    CHECK(out.frames.empty());
    CHECK_EQ(stats.video_decrypt_failures, stats.video_packets);
    CHECK_EQ(stats.frames_complete, 0u);
}

TEST(session_lost_frame_raises_an_idr_request_and_drops_the_frames_that_depend_on_it) {
    const SessionCase &c = session_test::kSessionCases[0];
    Capture capture;
    if (!load(c, capture)) return;
    std::vector<Input> lossy;
    for (const Input &in : capture.inputs) {
        const bool lost = in.channel == GSC_SESSION_CHANNEL_VIDEO && le32(in.bytes.data() + kClearFrameIndexOffset) == 50;
        if (!lost) lossy.push_back(in);
    }
    const gsc_session_config config = session_test::config_for(c, capture, GSC_SESSION_FLAG_AUDIO_NO_DECODE);
    gsc_session_counters stats{};
    const Output out = run(config, lossy, stats);
    // The recording has one IDR, at the start: nothing after the loss is decodable.
    CHECK_EQ(out.frames.size(), size_t{49});
    CHECK_EQ(stats.frames_complete, 49u);
    CHECK_EQ(stats.frames_lost, 1u);
    CHECK_EQ(stats.frames_dropped, c.frames_on_wire - 49);
    // One request when the next frame arrives intact, then again every 120 dropped frames.
    CHECK_EQ(stats.idr_requests, 1u + (c.frames_on_wire - 50) / 120);
    CHECK_EQ(stats.rfi_requests, 0u);
}

TEST(session_request_idr_from_the_decoder_drops_video_until_a_key_frame) {
    const SessionCase &c = session_test::kSessionCases[2];
    Capture capture;
    if (!load(c, capture)) return;
    const gsc_session_config config = session_test::config_for(c, capture, GSC_SESSION_FLAG_AUDIO_NO_DECODE);
    gsc_session *s = nullptr;
    REQUIRE_EQ(gsc_session_create(&config, sizeof config, &s), GSC_OK);
    Output out;
    const size_t split = first_datagram_of(capture.inputs, 100, kClearFrameIndexOffset);
    REQUIRE(split < capture.inputs.size());
    const std::vector<Input> before(capture.inputs.begin(), capture.inputs.begin() + static_cast<long>(split));
    const std::vector<Input> after(capture.inputs.begin() + static_cast<long>(split), capture.inputs.end());
    session_test::replay(s, before, out);
    CHECK_EQ(out.frames.size(), size_t{99});
    REQUIRE_EQ(gsc_session_request_idr(s), GSC_OK);
    session_test::drain(s, out);
    session_test::replay(s, after, out);
    gsc_session_counters stats{};
    REQUIRE_EQ(gsc_session_stats(s, &stats, sizeof stats), GSC_OK);
    CHECK_EQ(out.frames.size(), size_t{99});
    CHECK(stats.idr_requests >= 1u);
    CHECK_EQ(stats.frames_dropped, c.frames_on_wire - 99);
    gsc_session_destroy(s);
}

TEST(session_access_unit_not_drained_before_the_next_video_datagram_is_dropped_and_counted) {
    // Clear video is written into the packet slot; encrypted video is decrypted into it.
    for (const size_t index : {size_t{0}, size_t{3}}) {
        const SessionCase &c = session_test::kSessionCases[index];
        Capture capture;
        if (!load(c, capture)) return;
        const gsc_session_config config = session_test::config_for(c, capture, GSC_SESSION_FLAG_AUDIO_NO_DECODE);
        gsc_session_counters clean_stats{};
        const Output clean = run(config, capture.inputs, clean_stats);
        REQUIRE(clean.frames.size() >= 2u);
        gsc_session *s = nullptr;
        REQUIRE_EQ(gsc_session_create(&config, sizeof config, &s), GSC_OK);
        // Video datagrams without draining, until the receiver has handed out two frames.
        gsc_session_counters stats{};
        for (const Input &in : capture.inputs) {
            if (in.channel != GSC_SESSION_CHANNEL_VIDEO) continue;
            uint32_t capacity = 0;
            uint8_t *buffer = gsc_session_rx_buf(s, GSC_SESSION_CHANNEL_VIDEO, &capacity);
            REQUIRE(buffer != nullptr && in.bytes.size() <= capacity);
            std::memcpy(buffer, in.bytes.data(), in.bytes.size());
            REQUIRE_EQ(gsc_session_rx_commit(s, GSC_SESSION_CHANNEL_VIDEO, static_cast<uint32_t>(in.bytes.size()),
                                             session_test::lo(in.time_us), session_test::hi(in.time_us)),
                       GSC_OK);
            REQUIRE_EQ(gsc_session_stats(s, &stats, sizeof stats), GSC_OK);
            if (stats.frames_complete == 2) break;
        }
        // Frame 1 died when frame 2's datagrams went in; frame 2 still waits for poll_event, intact.
        CHECK_EQ(stats.frames_complete, 2u);
        CHECK_EQ(stats.events_dropped, 1u);
        gsc_event event;
        const uint8_t *bytes[GSC_EVENT_BYTES_COUNT] = {};
        REQUIRE_EQ(gsc_session_poll_event(s, &event, bytes), uint32_t{GSC_EVENT_VIDEO_FRAME});
        CHECK_EQ(event.u.video.frame_index, 2u);
        REQUIRE(bytes[GSC_EVENT_BYTES_MAIN] != nullptr);
        CHECK(session_test::Bytes(bytes[0], bytes[0] + event.size_bytes) == clean.frames[1].data);
        gsc_session_destroy(s);
    }
}
