// gsc_session_stop: the client leaves and the host hears it at once. Against the scripted ENet
// host of enet_test_support.hpp on a lossless in-memory link: the DISCONNECT goes out only
// after what was queued is acknowledged, the session's end is raised at once, the deadline
// says when the goodbye is over (acknowledged, or the 2 s linger ran out), and stopping a
// session that never started, that already ended or that has no control stream sends nothing.
#include <cstring>

#include "enet_test_support.hpp"
#include "session_test_support.hpp"
#include "test_harness.hpp"

using session_test::Output;

namespace {

constexpr uint64_t kStartUs = 5000000;
constexpr uint64_t kMs = 1000;
// EnetClientConfig::disconnect_linger_us, the session's default.
constexpr uint64_t kLingerUs = 2000 * kMs;

gsc_session_config stop_config(uint32_t flags = 0) {
    gsc_session_config c{};
    c.flags = flags;
    c.video_codec = GSC_VIDEO_CODEC_H265;
    c.video_packet_size_bytes = 1392;
    c.audio_channels = 2;
    c.audio_streams = 1;
    c.audio_coupled_streams = 1;
    c.audio_packet_duration_ms = 5;
    c.audio_mapping[1] = 1;
    c.encryption_flags = GSC_SESSION_ENCRYPT_CONTROL;
    for (uint32_t i = 0; i < GSC_SESSION_KEY_SIZE; i++) c.aes_key[i] = static_cast<uint8_t>(0x40 + i);
    c.control_connect_data = 77;
    for (uint32_t i = 0; i < GSC_SESSION_SEED_SIZE; i++) c.seed[i] = static_cast<uint8_t>(5 * i + 1);
    return c;
}

// A session and a scripted host; whatever one sends reaches the other at once.
struct Link {
    gsc_session *s = nullptr;
    enet_test::TestHost host;
    Output out;
    uint64_t now_us = kStartUs;
    size_t delivered = 0;

    explicit Link(const gsc_session_config &config) {
        if (gsc_session_create(&config, sizeof config, &s) != GSC_OK) s = nullptr;
    }
    ~Link() { gsc_session_destroy(s); }

    void pump() {
        for (int round = 0; round < 100; round++) {
            bool moved = false;
            for (; delivered < out.transmits.size(); delivered++) {
                if (out.transmits[delivered].first == GSC_SESSION_CHANNEL_CONTROL) host.receive(out.transmits[delivered].second, now_us);
                moved = true;
            }
            std::vector<session_test::Bytes> outbox;
            outbox.swap(host.outbox);
            for (const auto &d : outbox) {
                session_test::feed(s, GSC_SESSION_CHANNEL_CONTROL, d.data(), d.size(), now_us, out);
                moved = true;
            }
            if (!moved) return;
        }
    }
    void run_until(uint64_t until_us) {
        for (uint64_t d = session_test::deadline_of(s); d <= until_us; d = session_test::deadline_of(s)) {
            now_us = d > now_us ? d : now_us;
            if (gsc_session_handle_timeout(s, session_test::lo(now_us), session_test::hi(now_us)) != GSC_OK) return;
            session_test::drain(s, out);
            pump();
        }
        now_us = until_us > now_us ? until_us : now_us;
    }
    void start() {
        REQUIRE_EQ(gsc_session_handle_timeout(s, session_test::lo(now_us), session_test::hi(now_us)), GSC_OK);
        session_test::drain(s, out);
        pump();
    }
    gsc_status stop() {
        const gsc_status status = gsc_session_stop(s, session_test::lo(now_us), session_test::hi(now_us));
        session_test::drain(s, out);
        pump();
        return status;
    }
    size_t terminations() const {
        size_t n = 0;
        for (const gsc_event &e : out.other) n += e.kind == GSC_EVENT_TERMINATED ? 1 : 0;
        return n;
    }
    size_t media_transmits() const {
        size_t n = 0;
        for (const auto &t : out.transmits) n += t.first != GSC_SESSION_CHANNEL_CONTROL ? 1 : 0;
        return n;
    }
};

}  // namespace

TEST(session_stop_sends_the_disconnect_only_after_the_queued_request_is_acknowledged) {
    Link link(stop_config());
    REQUIRE(link.s != nullptr);
    link.start();
    REQUIRE(link.host.connected);
    // A host that stops acknowledging: the IDR request stays queued in ENet, unacknowledged.
    link.host.acknowledge = false;
    REQUIRE_EQ(gsc_session_request_idr(link.s), GSC_OK);
    link.run_until(link.now_us);
    REQUIRE_EQ(link.stop(), GSC_OK);

    // The session's end is raised at once, with the client's own reason and no error.
    REQUIRE(!link.out.other.empty());
    const gsc_event &end = link.out.other.back();
    CHECK_EQ(end.kind, uint32_t{GSC_EVENT_TERMINATED});
    CHECK_EQ(end.u.terminated.reason, uint32_t{GSC_TERMINATED_LOCAL});
    CHECK_EQ(end.u.terminated.status, GSC_OK);
    CHECK_EQ(end.u.terminated.has_host_code, 0u);
    CHECK_EQ(gsc_session_last_error(link.s), GSC_OK);
    // ...but the goodbye waits for the queued request (ENet retransmits it meanwhile).
    link.run_until(link.now_us + 200 * kMs);
    CHECK(!link.host.client_disconnected);
    CHECK(session_test::deadline_of(link.s) != UINT64_MAX);

    // The host acknowledges again: the request, then the DISCONNECT, and the goodbye is over.
    link.host.acknowledge = true;
    const uint64_t acknowledged_us = link.now_us;
    link.run_until(acknowledged_us + kLingerUs);
    CHECK(link.host.client_disconnected);
    CHECK_EQ(session_test::deadline_of(link.s), UINT64_MAX);
    CHECK_EQ(link.terminations(), size_t{1});
}

TEST(session_stop_against_a_silent_host_gives_up_after_the_linger) {
    Link link(stop_config());
    REQUIRE(link.s != nullptr);
    link.start();
    REQUIRE(link.host.connected);
    link.host.vanished = true;
    const size_t media_before = link.media_transmits();
    const uint64_t stopped_us = link.now_us;
    REQUIRE_EQ(link.stop(), GSC_OK);
    CHECK_EQ(link.terminations(), size_t{1});

    link.run_until(stopped_us + kLingerUs - 1);
    CHECK(session_test::deadline_of(link.s) != UINT64_MAX);
    link.run_until(stopped_us + kLingerUs);
    CHECK_EQ(session_test::deadline_of(link.s), UINT64_MAX);
    // No audio or video ping after the stop, and still one end.
    CHECK_EQ(link.media_transmits(), media_before);
    CHECK_EQ(link.terminations(), size_t{1});
}

TEST(session_stop_that_has_no_host_to_tell_ends_at_once_and_sends_nothing) {
    struct Case {
        const char *name;
        uint32_t flags;
        bool started;
    };
    const Case cases[] = {
        {"before the first input", 0, false},
        {"media only, running", GSC_SESSION_FLAG_NO_CONTROL, true},
        {"media only, before the first input", GSC_SESSION_FLAG_NO_CONTROL, false},
    };
    for (const Case &c : cases) {
        std::fprintf(stderr, "  case '%s'\n", c.name);
        Link link(stop_config(c.flags));
        REQUIRE(link.s != nullptr);
        if (c.started) link.start();
        const size_t transmits_before = link.out.transmits.size();
        REQUIRE_EQ(link.stop(), GSC_OK);
        CHECK_EQ(link.out.transmits.size(), transmits_before);
        REQUIRE_EQ(link.terminations(), size_t{1});
        CHECK_EQ(link.out.other.back().u.terminated.reason, uint32_t{GSC_TERMINATED_LOCAL});
        CHECK_EQ(session_test::deadline_of(link.s), UINT64_MAX);
        CHECK_EQ(gsc_session_last_error(link.s), GSC_OK);
        // Time passing changes nothing.
        link.run_until(link.now_us + 10 * kLingerUs);
        CHECK_EQ(link.out.transmits.size(), transmits_before);
        CHECK_EQ(link.host.connects_seen, 0u);
    }
}

TEST(session_stop_after_the_session_ended_changes_nothing) {
    Link link(stop_config());
    REQUIRE(link.s != nullptr);
    link.start();
    link.host.send_disconnect(0);
    link.pump();
    REQUIRE_EQ(link.terminations(), size_t{1});
    const gsc_status ended_with = gsc_session_last_error(link.s);
    CHECK_EQ(ended_with, GSC_ERR_ENET_HOST_DISCONNECTED);
    const size_t transmits_before = link.out.transmits.size();
    REQUIRE_EQ(link.stop(), GSC_OK);
    REQUIRE_EQ(link.stop(), GSC_OK);
    CHECK_EQ(link.terminations(), size_t{1});
    CHECK_EQ(link.out.transmits.size(), transmits_before);
    CHECK_EQ(gsc_session_last_error(link.s), ended_with);
    CHECK_EQ(gsc_session_stop(nullptr, 0, 0), GSC_ERR_NULL_ARGUMENT);
}
