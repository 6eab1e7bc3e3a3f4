// The session's rules that need no recording: config checks, the start, pings (data-plane.md
// §1.4), the call order of rx_buf/rx_commit, oversize datagrams, the video watchdog (§1.5) and
// what termination leaves behind.
#include <cstdio>
#include <functional>

#include "session_test_support.hpp"
#include "test_harness.hpp"

using session_test::Output;

namespace {

constexpr uint64_t kStartUs = 5000000;
constexpr uint64_t kPingIntervalUs = 500000;
const char kPingPayload[] = "0123456789ABCDEF";

gsc_session_config base_config() {
    gsc_session_config c{};
    c.flags = GSC_SESSION_FLAG_NO_CONTROL;
    c.video_codec = GSC_VIDEO_CODEC_H264;
    c.video_packet_size_bytes = 1392;
    c.video_timeout_ms = 0;
    c.audio_channels = 2;
    c.audio_streams = 1;
    c.audio_coupled_streams = 1;
    c.audio_packet_duration_ms = 5;
    c.audio_mapping[1] = 1;
    c.encryption_flags = GSC_SESSION_ENCRYPT_AUDIO;
    c.ping_payload_size_bytes = 16;
    std::memcpy(c.ping_payload, kPingPayload, 16);
    return c;
}

struct Owned {
    gsc_session *s = nullptr;
    ~Owned() { gsc_session_destroy(s); }
};

gsc_status create(const gsc_session_config &c, Owned &owned) { return gsc_session_create(&c, sizeof c, &owned.s); }

void start(gsc_session *s, uint64_t now_us, Output &out) {
    CHECK_EQ(gsc_session_handle_timeout(s, session_test::lo(now_us), session_test::hi(now_us)), GSC_OK);
    session_test::drain(s, out);
}

gsc_session_counters stats_of(const gsc_session *s) {
    gsc_session_counters n{};
    CHECK_EQ(gsc_session_stats(s, &n, sizeof n), GSC_OK);
    return n;
}

session_test::Bytes ping(uint32_t counter) {
    session_test::Bytes b(kPingPayload, kPingPayload + 16);
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(counter >> shift));
    return b;
}

}  // namespace

TEST(session_create_refuses_each_field_out_of_its_documented_range) {
    struct Case {
        const char *name;
        std::function<void(gsc_session_config &)> change;
        gsc_status expected;
    };
    const Case cases[] = {
        {"valid", [](gsc_session_config &) {}, GSC_OK},
        {"unknown flag", [](gsc_session_config &c) { c.flags |= 0x80; }, GSC_ERR_BAD_ARGUMENT},
        {"unknown codec", [](gsc_session_config &c) { c.video_codec = 3; }, GSC_ERR_BAD_ARGUMENT},
        {"packet size below minimum", [](gsc_session_config &c) { c.video_packet_size_bytes = 15; }, GSC_ERR_BAD_ARGUMENT},
        {"packet size at maximum", [](gsc_session_config &c) { c.video_packet_size_bytes = 9000; }, GSC_OK},
        {"packet size above maximum", [](gsc_session_config &c) { c.video_packet_size_bytes = 9001; }, GSC_ERR_BAD_ARGUMENT},
        {"frame bytes above 16 MiB", [](gsc_session_config &c) { c.video_max_frame_bytes = (16u << 20) + 1; }, GSC_ERR_BAD_ARGUMENT},
        {"more than 4 blocks", [](gsc_session_config &c) { c.video_max_blocks_per_frame = 5; }, GSC_ERR_BAD_ARGUMENT},
        {"more than 64 frames in flight", [](gsc_session_config &c) { c.video_max_frames_in_flight = 65; }, GSC_ERR_BAD_ARGUMENT},
        {"watchdog at maximum", [](gsc_session_config &c) { c.video_timeout_ms = 600000; }, GSC_OK},
        {"watchdog above maximum", [](gsc_session_config &c) { c.video_timeout_ms = 600001; }, GSC_ERR_BAD_ARGUMENT},
        {"no audio channel", [](gsc_session_config &c) { c.audio_channels = 0; }, GSC_ERR_BAD_ARGUMENT},
        {"nine audio channels", [](gsc_session_config &c) { c.audio_channels = 9; }, GSC_ERR_BAD_ARGUMENT},
        {"7 ms audio packets", [](gsc_session_config &c) { c.audio_packet_duration_ms = 7; }, GSC_ERR_BAD_ARGUMENT},
        {"10 ms audio packets", [](gsc_session_config &c) { c.audio_packet_duration_ms = 10; }, GSC_OK},
        {"layout libopus refuses", [](gsc_session_config &c) { c.audio_streams = 0; }, GSC_ERR_BAD_ARGUMENT},
        {"discard at maximum", [](gsc_session_config &c) { c.audio_initial_discard_packets = 400; }, GSC_OK},
        {"discard above maximum", [](gsc_session_config &c) { c.audio_initial_discard_packets = 401; }, GSC_ERR_BAD_ARGUMENT},
        {"unknown encryption bit", [](gsc_session_config &c) { c.encryption_flags = 8; }, GSC_ERR_BAD_ARGUMENT},
        {"ping payload of 15 bytes", [](gsc_session_config &c) { c.ping_payload_size_bytes = 15; }, GSC_ERR_BAD_ARGUMENT},
        {"legacy ping", [](gsc_session_config &c) { c.ping_payload_size_bytes = 0; }, GSC_OK},
        {"encrypted video", [](gsc_session_config &c) { c.encryption_flags = 7; }, GSC_OK},
    };
    for (const Case &c : cases) {
        gsc_session_config config = base_config();
        c.change(config);
        Owned owned;
        const gsc_status status = create(config, owned);
        if (status != c.expected) std::fprintf(stderr, "  case '%s'\n", c.name);
        CHECK_EQ(status, c.expected);
        CHECK_EQ(owned.s == nullptr, c.expected != GSC_OK);
    }
    const gsc_session_config config = base_config();
    gsc_session *s = reinterpret_cast<gsc_session *>(&s);
    CHECK_EQ(gsc_session_create(&config, sizeof config - 4, &s), GSC_ERR_BAD_LENGTH);
    CHECK(s == nullptr);
    CHECK_EQ(gsc_session_create(nullptr, sizeof config, &s), GSC_ERR_NULL_ARGUMENT);
    CHECK_EQ(gsc_session_create(&config, sizeof config, nullptr), GSC_ERR_NULL_ARGUMENT);
    CHECK_EQ(gsc_session_struct_size(GSC_SESSION_STRUCT_CONFIG), uint32_t{sizeof(gsc_session_config)});
    CHECK_EQ(gsc_session_struct_size(GSC_SESSION_STRUCT_EVENT), uint32_t{sizeof(gsc_event)});
    CHECK_EQ(gsc_session_struct_size(GSC_SESSION_STRUCT_STATS), uint32_t{sizeof(gsc_session_counters)});
    CHECK_EQ(gsc_session_struct_size(3), 0u);
}

TEST(session_sends_both_pings_at_start_then_every_500_ms_with_a_big_endian_counter) {
    Owned owned;
    REQUIRE_EQ(create(base_config(), owned), GSC_OK);
    CHECK_EQ(session_test::deadline_of(owned.s), 0u);
    Output out;
    start(owned.s, kStartUs, out);
    REQUIRE_EQ(out.transmits.size(), size_t{2});
    CHECK_EQ(out.transmits[0].first, uint32_t{GSC_SESSION_CHANNEL_AUDIO});
    CHECK(out.transmits[0].second == ping(1));
    CHECK_EQ(out.transmits[1].first, uint32_t{GSC_SESSION_CHANNEL_VIDEO});
    CHECK(out.transmits[1].second == ping(1));
    CHECK_EQ(session_test::deadline_of(owned.s), kStartUs + kPingIntervalUs);
    // Early, and twice: nothing.
    start(owned.s, kStartUs + kPingIntervalUs - 1, out);
    start(owned.s, kStartUs + kPingIntervalUs - 1, out);
    CHECK_EQ(out.transmits.size(), size_t{2});
    start(owned.s, kStartUs + kPingIntervalUs, out);
    REQUIRE_EQ(out.transmits.size(), size_t{4});
    CHECK(out.transmits[2].second == ping(2));
    CHECK(out.transmits[3].second == ping(2));
    // A caller that stalls for 3 s gets one ping per stream, not a burst of six.
    start(owned.s, kStartUs + 7 * kPingIntervalUs, out);
    CHECK_EQ(out.transmits.size(), size_t{6});
    CHECK_EQ(session_test::deadline_of(owned.s), kStartUs + 8 * kPingIntervalUs);
    CHECK_EQ(stats_of(owned.s).pings_sent, 6u);
}

TEST(session_without_a_ping_payload_sends_the_legacy_four_byte_ping) {
    gsc_session_config config = base_config();
    config.ping_payload_size_bytes = 0;
    Owned owned;
    REQUIRE_EQ(create(config, owned), GSC_OK);
    Output out;
    start(owned.s, kStartUs, out);
    REQUIRE_EQ(out.transmits.size(), size_t{2});
    CHECK(out.transmits[0].second == session_test::Bytes({'P', 'I', 'N', 'G'}));
    CHECK(out.transmits[1].second == session_test::Bytes({'P', 'I', 'N', 'G'}));
}

TEST(session_rx_commit_needs_the_rx_buf_of_the_same_channel_just_before) {
    Owned owned;
    REQUIRE_EQ(create(base_config(), owned), GSC_OK);
    uint32_t capacity = 0;
    CHECK_EQ(gsc_session_rx_commit(owned.s, GSC_SESSION_CHANNEL_AUDIO, 10, 0, 0), GSC_ERR_BAD_STATE);
    REQUIRE(gsc_session_rx_buf(owned.s, GSC_SESSION_CHANNEL_AUDIO, &capacity) != nullptr);
    CHECK_EQ(capacity, 1400u);
    CHECK_EQ(gsc_session_rx_commit(owned.s, GSC_SESSION_CHANNEL_VIDEO, 10, 0, 0), GSC_ERR_BAD_STATE);
    REQUIRE(gsc_session_rx_buf(owned.s, GSC_SESSION_CHANNEL_AUDIO, &capacity) != nullptr);
    uint32_t deadline[2];
    gsc_session_next_deadline(owned.s, deadline);  // a const call keeps the buffer
    CHECK_EQ(gsc_session_rx_commit(owned.s, GSC_SESSION_CHANNEL_AUDIO, 10, 0, 0), GSC_OK);
    CHECK_EQ(gsc_session_rx_commit(owned.s, GSC_SESSION_CHANNEL_AUDIO, 10, 0, 0), GSC_ERR_BAD_STATE);
    CHECK(gsc_session_rx_buf(owned.s, GSC_SESSION_CHANNEL_COUNT, &capacity) == nullptr);
    CHECK(gsc_session_rx_buf(owned.s, GSC_SESSION_CHANNEL_VIDEO, nullptr) == nullptr);
    CHECK_EQ(gsc_session_rx_commit(owned.s, GSC_SESSION_CHANNEL_COUNT, 10, 0, 0), GSC_ERR_BAD_ARGUMENT);
    CHECK_EQ(gsc_session_rx_commit(nullptr, GSC_SESSION_CHANNEL_AUDIO, 10, 0, 0), GSC_ERR_NULL_ARGUMENT);
    const gsc_session_counters n = stats_of(owned.s);
    CHECK_EQ(n.audio_packets, 1u);
    CHECK_EQ(n.audio_malformed, 1u);  // 10 zero bytes are no RTP packet
}

TEST(session_counts_a_datagram_longer_than_the_receive_buffer_as_malformed_on_each_channel) {
    gsc_session_config config = base_config();
    config.encryption_flags = 7;
    Owned owned;
    REQUIRE_EQ(create(config, owned), GSC_OK);
    Output out;
    const uint32_t expected_capacity[] = {1392 + 16 + 32, 1400, 4096};
    for (uint32_t channel = 0; channel < GSC_SESSION_CHANNEL_COUNT; channel++) {
        uint32_t capacity = 0;
        REQUIRE(gsc_session_rx_buf(owned.s, channel, &capacity) != nullptr);
        CHECK_EQ(capacity, expected_capacity[channel]);
        CHECK_EQ(gsc_session_rx_commit(owned.s, channel, capacity + 1, 0, 0), GSC_OK);
    }
    const gsc_session_counters n = stats_of(owned.s);
    CHECK_EQ(n.video_packets, 1u);
    CHECK_EQ(n.video_malformed, 1u);
    CHECK_EQ(n.video_bytes_lo, expected_capacity[0] + 1);
    CHECK_EQ(n.audio_malformed, 1u);
    CHECK_EQ(n.control_malformed, 1u);
    CHECK_EQ(n.malformed, 3u);
}

TEST(session_without_video_ends_after_the_watchdog_with_one_termination_event) {
    gsc_session_config config = base_config();
    config.video_timeout_ms = 1000;
    Owned owned;
    REQUIRE_EQ(create(config, owned), GSC_OK);
    Output out;
    start(owned.s, kStartUs, out);
    session_test::run_until(owned.s, kStartUs + 999999, out);
    CHECK(out.other.empty());
    session_test::run_until(owned.s, kStartUs + 1000000, out);
    REQUIRE_EQ(out.other.size(), size_t{1});
    const gsc_event &end = out.other[0];
    CHECK_EQ(end.kind, uint32_t{GSC_EVENT_TERMINATED});
    CHECK_EQ(end.u.terminated.reason, uint32_t{GSC_TERMINATED_TIMEOUT});
    CHECK_EQ(end.u.terminated.status, GSC_ERR_VIDEO_NO_TRAFFIC);
    CHECK_EQ(end.u.terminated.graceful, 0u);
    CHECK_EQ(end.u.terminated.has_host_code, 0u);
    CHECK_EQ(gsc_session_last_error(owned.s), GSC_ERR_VIDEO_NO_TRAFFIC);
    CHECK_EQ(session_test::deadline_of(owned.s), UINT64_MAX);
    CHECK_EQ(std::string(gsc_status_name(GSC_ERR_VIDEO_NO_TRAFFIC)), std::string("GSC_ERR_VIDEO_NO_TRAFFIC"));

    // Afterwards: inputs are ignored, nothing is sent, and the event is not raised again.
    const size_t transmits = out.transmits.size();
    const uint8_t junk[20] = {};
    CHECK_EQ(session_test::feed(owned.s, GSC_SESSION_CHANNEL_AUDIO, junk, sizeof junk, kStartUs + 2000000, out), GSC_OK);
    start(owned.s, kStartUs + 5000000, out);
    CHECK_EQ(out.transmits.size(), transmits);
    CHECK_EQ(out.other.size(), size_t{1});
    CHECK_EQ(stats_of(owned.s).audio_packets, 0u);
    CHECK_EQ(gsc_session_request_idr(owned.s), GSC_OK);
}

TEST(session_with_video_but_no_complete_frame_ends_a_watchdog_period_after_the_first_packet) {
    gsc_session_config config = base_config();
    config.video_timeout_ms = 1000;
    Owned owned;
    REQUIRE_EQ(create(config, owned), GSC_OK);
    Output out;
    start(owned.s, kStartUs, out);
    const uint8_t junk[40] = {0x90};
    session_test::run_until(owned.s, kStartUs + 300000, out);
    REQUIRE_EQ(session_test::feed(owned.s, GSC_SESSION_CHANNEL_VIDEO, junk, sizeof junk, kStartUs + 300000, out), GSC_OK);
    session_test::run_until(owned.s, kStartUs + 1299999, out);
    CHECK(out.other.empty());
    session_test::run_until(owned.s, kStartUs + 1300000, out);
    REQUIRE_EQ(out.other.size(), size_t{1});
    CHECK_EQ(out.other[0].u.terminated.status, GSC_ERR_VIDEO_NO_FRAME);
    CHECK_EQ(gsc_session_last_error(owned.s), GSC_ERR_VIDEO_NO_FRAME);
}

TEST(session_with_the_watchdog_off_runs_on_pings_alone) {
    Owned owned;
    REQUIRE_EQ(create(base_config(), owned), GSC_OK);
    Output out;
    start(owned.s, kStartUs, out);
    session_test::run_until(owned.s, kStartUs + 60000000, out);
    CHECK(out.other.empty());
    CHECK_EQ(out.transmits.size(), size_t{2 * 121});
    CHECK_EQ(gsc_session_last_error(owned.s), GSC_OK);
}

TEST(session_time_that_goes_back_is_taken_as_the_latest_time_seen) {
    Owned owned;
    REQUIRE_EQ(create(base_config(), owned), GSC_OK);
    Output out;
    start(owned.s, kStartUs, out);
    start(owned.s, kStartUs - 1000000, out);
    CHECK_EQ(out.transmits.size(), size_t{2});
    CHECK_EQ(session_test::deadline_of(owned.s), kStartUs + kPingIntervalUs);
}
