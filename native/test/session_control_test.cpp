// The session with its control stream, against the scripted ENet host of enet_test_support.hpp
// on a lossless in-memory link: the start order (audio pings at once, video pings once the
// control stream is up, data-plane.md §1.3), recovery requests reaching the host on the urgent
// channel, host messages becoming events, each way the session ends, and the seed as the only
// source of the ENet connect id.
#include <cstring>

#include "control_envelope.hpp"
#include "control_messages.hpp"
#include "enet_test_support.hpp"
#include "session_test_support.hpp"
#include "test_harness.hpp"

using session_test::Bytes;
using session_test::Output;

namespace {

constexpr uint64_t kStartUs = 7000000;
constexpr uint64_t kMs = 1000;
const uint8_t kKey[16] = {0x38, 0xd7, 0x5e, 0x87, 0x38, 0x69, 0xd0, 0x9f, 0x89, 0x3a, 0x31, 0xe8, 0x14, 0x5e, 0x47, 0xdb};

gsc_session_config control_config() {
    gsc_session_config c{};
    c.video_codec = GSC_VIDEO_CODEC_H264;
    c.video_packet_size_bytes = 1392;
    c.audio_channels = 2;
    c.audio_streams = 1;
    c.audio_coupled_streams = 1;
    c.audio_packet_duration_ms = 5;
    c.audio_mapping[1] = 1;
    c.encryption_flags = GSC_SESSION_ENCRYPT_CONTROL | GSC_SESSION_ENCRYPT_AUDIO;
    std::memcpy(c.aes_key, kKey, sizeof kKey);
    c.ping_payload_size_bytes = 16;
    std::memcpy(c.ping_payload, "0123456789ABCDEF", 16);
    c.control_connect_data = 1234;
    for (uint32_t i = 0; i < GSC_SESSION_SEED_SIZE; i++) c.seed[i] = static_cast<uint8_t>(3 * i);
    return c;
}

// A session wired to a scripted host: whatever one sends reaches the other at once.
struct Link {
    gsc_session *s = nullptr;
    enet_test::TestHost host;
    Output out;
    uint64_t now_us = kStartUs;
    size_t delivered = 0;  // transmits of `out` already handed to the host
    uint32_t host_sequence = 0;

    explicit Link(const gsc_session_config &config) {
        if (gsc_session_create(&config, sizeof config, &s) != GSC_OK) s = nullptr;
    }
    ~Link() { gsc_session_destroy(s); }

    // Moves datagrams both ways until neither side has anything to say.
    void pump() {
        for (int round = 0; round < 100; round++) {
            bool moved = false;
            for (; delivered < out.transmits.size(); delivered++) {
                if (out.transmits[delivered].first == GSC_SESSION_CHANNEL_CONTROL) host.receive(out.transmits[delivered].second, now_us);
                moved = true;
            }
            std::vector<Bytes> outbox;
            outbox.swap(host.outbox);
            for (const Bytes &d : outbox) {
                session_test::feed(s, GSC_SESSION_CHANNEL_CONTROL, d.data(), d.size(), now_us, out);
                moved = true;
            }
            if (!moved) return;
        }
    }
    // Runs every deadline up to `until_us`, pumping after each.
    void run_until(uint64_t until_us) {
        for (uint64_t d = session_test::deadline_of(s); d <= until_us; d = session_test::deadline_of(s)) {
            now_us = d > now_us ? d : now_us;
            if (gsc_session_handle_timeout(s, session_test::lo(now_us), session_test::hi(now_us)) != GSC_OK) return;
            session_test::drain(s, out);
            pump();
        }
        now_us = until_us;
    }
    void start() {
        REQUIRE_EQ(gsc_session_handle_timeout(s, session_test::lo(now_us), session_test::hi(now_us)), GSC_OK);
        session_test::drain(s, out);
        pump();
    }
    void host_sends(uint16_t type, const Bytes &payload) {
        Bytes sealed(gsc::kControlMaxEnvelopeBytes);
        sealed.resize(gsc::control_seal(kKey, host_sequence++, gsc::ControlDirection::kHostToClient, type, payload.data(),
                                        payload.size(), sealed.data(), sealed.size()));
        host.send_reliable(0, sealed);
        pump();
    }
    size_t count(uint32_t channel) const {
        size_t n = 0;
        for (const auto &t : out.transmits) n += t.first == channel ? 1 : 0;
        return n;
    }
};

struct Opened {
    uint8_t channel;
    uint16_t type;
};

// The client's control messages the host received, opened.
std::vector<Opened> host_received(const enet_test::TestHost &host) {
    std::vector<Opened> out;
    for (const auto &r : host.received) {
        uint8_t scratch[gsc::kControlMessageHeaderBytes + gsc::kControlMaxPayloadBytes];
        gsc::ControlMessage m{};
        if (gsc::control_open(kKey, gsc::ControlDirection::kClientToHost, r.data.data(), r.data.size(), scratch, sizeof scratch,
                              m) == gsc::ControlOpenResult::kOk) {
            out.push_back({r.channel, m.type});
        }
    }
    return out;
}

size_t count_type(const std::vector<Opened> &list, uint16_t type, uint8_t channel) {
    size_t n = 0;
    for (const auto &o : list) n += o.type == type && o.channel == channel ? 1 : 0;
    return n;
}

}  // namespace

TEST(session_pings_audio_at_once_and_video_only_after_the_control_stream_connects) {
    gsc_session_config config = control_config();
    Link link(config);
    REQUIRE(link.s != nullptr);
    link.host.answer_connect = false;
    link.start();
    CHECK_EQ(link.count(GSC_SESSION_CHANNEL_AUDIO), size_t{1});
    CHECK_EQ(link.count(GSC_SESSION_CHANNEL_VIDEO), size_t{0});
    CHECK(link.count(GSC_SESSION_CHANNEL_CONTROL) >= 1u);  // ENet CONNECT
    CHECK_EQ(link.host.connects_seen, 1u);
    CHECK(link.out.other.empty());

    Link answered(config);
    answered.start();
    REQUIRE_EQ(answered.out.other.size(), size_t{1});
    CHECK_EQ(answered.out.other[0].kind, uint32_t{GSC_EVENT_CONNECTED});
    CHECK_EQ(answered.count(GSC_SESSION_CHANNEL_VIDEO), size_t{1});
    CHECK(answered.host.connected);
    // The start messages (§4.4.1, §4.4.2), then the periodic pings keep the host's session alive.
    const std::vector<Opened> messages = host_received(answered.host);
    REQUIRE(messages.size() >= 2u);
    CHECK_EQ(messages[0].type, gsc::kControlTypeRequestIdr);
    CHECK_EQ(messages[1].type, gsc::kControlTypeStartB);
    answered.run_until(kStartUs + 1000 * kMs);
    CHECK_EQ(answered.count(GSC_SESSION_CHANNEL_VIDEO), size_t{3});
    CHECK(count_type(host_received(answered.host), gsc::kControlTypePeriodicPing, gsc::kControlChannelGeneric) >= 9u);
    CHECK_EQ(gsc_session_last_error(answered.s), GSC_OK);
}

TEST(session_idr_request_reaches_the_host_on_the_urgent_channel) {
    Link link(control_config());
    link.start();
    REQUIRE_EQ(gsc_session_request_idr(link.s), GSC_OK);
    session_test::drain(link.s, link.out);
    // Raised between drains: due at once, so the caller's loop sends it now.
    CHECK_EQ(session_test::deadline_of(link.s), link.now_us);
    link.run_until(link.now_us);
    link.pump();
    CHECK_EQ(count_type(host_received(link.host), gsc::kControlTypeRequestIdr, gsc::kControlChannelUrgent), size_t{1});
    gsc_session_counters n{};
    REQUIRE_EQ(gsc_session_stats(link.s, &n, sizeof n), GSC_OK);
    CHECK_EQ(n.idr_requests, 1u);
}

TEST(session_host_messages_become_rumble_hdr_and_termination_events) {
    Link link(control_config());
    link.start();
    link.host_sends(gsc::kControlTypeRumble, gsc_test::hex("eeffc000 0200 3412 ffff"));
    link.host_sends(gsc::kControlTypeHdrMode, gsc_test::hex("01"));
    link.host_sends(gsc::kControlTypeTermination, gsc_test::hex("80030023"));
    REQUIRE_EQ(link.out.other.size(), size_t{4});
    const gsc_event &rumble = link.out.other[1];
    CHECK_EQ(rumble.kind, uint32_t{GSC_EVENT_RUMBLE});
    CHECK_EQ(rumble.u.rumble.controller, 2u);
    CHECK_EQ(rumble.u.rumble.low_frequency, 0x1234u);
    CHECK_EQ(rumble.u.rumble.high_frequency, 0xffffu);
    CHECK_EQ(link.out.other[2].kind, uint32_t{GSC_EVENT_HDR_MODE});
    CHECK_EQ(link.out.other[2].u.hdr.enabled, 1u);
    const gsc_event &end = link.out.other[3];
    CHECK_EQ(end.kind, uint32_t{GSC_EVENT_TERMINATED});
    CHECK_EQ(end.u.terminated.reason, uint32_t{GSC_TERMINATED_HOST});
    CHECK_EQ(end.u.terminated.has_host_code, 1u);
    CHECK_EQ(end.u.terminated.host_code, 0x80030023u);
    // The normal code, but before any frame: an early end, not a graceful one (§4.4.15).
    CHECK_EQ(end.u.terminated.graceful, 0u);
    CHECK_EQ(gsc_session_last_error(link.s), GSC_ERR_CONTROL_HOST_TERMINATED);
    CHECK_EQ(std::string(gsc_status_name(GSC_ERR_CONTROL_HOST_TERMINATED)), std::string("GSC_ERR_CONTROL_HOST_TERMINATED"));
}

TEST(session_ends_on_a_silent_host_a_refused_connection_and_its_own_watchdog) {
    struct Case {
        const char *name;
        bool answer;
        bool vanish;
        uint32_t timeout_ms;
        gsc_status status;
        bool goodbye;  // the session told the host (ENet disconnect)
    };
    const Case cases[] = {
        {"host vanishes", true, true, 0, GSC_ERR_ENET_TIMEOUT, false},
        {"host never answers", false, false, 0, GSC_ERR_ENET_CONNECT_FAILED, false},
        {"no video", true, false, 1000, GSC_ERR_VIDEO_NO_TRAFFIC, true},
    };
    for (const Case &c : cases) {
        gsc_session_config config = control_config();
        config.video_timeout_ms = c.timeout_ms;
        Link link(config);
        link.host.answer_connect = c.answer;
        link.start();
        link.host.vanished = c.vanish;
        link.run_until(kStartUs + 20000 * kMs);
        REQUIRE(!link.out.other.empty());
        const gsc_event &end = link.out.other.back();
        if (end.u.terminated.status != c.status) std::fprintf(stderr, "  case '%s'\n", c.name);
        CHECK_EQ(end.kind, uint32_t{GSC_EVENT_TERMINATED});
        CHECK_EQ(end.u.terminated.status, c.status);
        CHECK_EQ(end.u.terminated.reason, uint32_t{GSC_TERMINATED_TIMEOUT});
        CHECK_EQ(link.host.client_disconnected, c.goodbye);
        CHECK_EQ(gsc_session_last_error(link.s), c.status);
        // Once the goodbye is acknowledged nothing is left to do.
        CHECK_EQ(session_test::deadline_of(link.s), UINT64_MAX);
    }
}

TEST(session_connect_id_comes_from_the_seed_and_nothing_else) {
    auto connect_of = [](const gsc_session_config &config) {
        Link link(config);
        link.host.answer_connect = false;
        link.start();
        return link.out.transmits.empty() ? Bytes() : link.out.transmits[0].second;
    };
    gsc_session_config config = control_config();
    const Bytes first = connect_of(config);
    CHECK(!first.empty());
    CHECK(connect_of(config) == first);
    config.seed[31] ^= 1;
    CHECK(connect_of(config) != first);
}
