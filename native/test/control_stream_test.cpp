// The control stream against the scripted ENet host on an in-memory link: start sequence,
// periodic pings and FEC status batches, IDR and RFI requests, host messages to events, the
// ways a session ends, and the commands' limits.
#include <cstring>

#include "control_stream.hpp"
#include "enet_test_support.hpp"
#include "test_harness.hpp"

namespace {

using enet_test::Bytes;
using enet_test::LinkConfig;
using enet_test::Pair;
using gsc::ControlEvent;
using gsc::ControlStream;
using gsc::ControlTerminationCause;

constexpr uint64_t kMs = 1000;
const uint8_t kKey[16] = {0x38, 0xd7, 0x5e, 0x87, 0x38, 0x69, 0xd0, 0x9f, 0x89, 0x3a, 0x31, 0xe8, 0x14, 0x5e, 0x47, 0xdb};

gsc::ControlStreamConfig test_config() {
    gsc::ControlStreamConfig c;
    std::memcpy(c.key, kKey, sizeof kKey);
    c.connect_data = 1234;
    c.enet.connect_id = 0xabcdef01;
    return c;
}

struct Opened {
    uint8_t channel;
    bool reliable;
    uint32_t sequence;
    uint16_t type;
    Bytes payload;
};

// What the host received from the client, opened.
std::vector<Opened> opened(const enet_test::TestHost &host) {
    std::vector<Opened> out;
    for (const auto &r : host.received) {
        uint8_t scratch[gsc::kControlMessageHeaderBytes + gsc::kControlMaxPayloadBytes];
        gsc::ControlMessage m{};
        if (gsc::control_open(kKey, gsc::ControlDirection::kClientToHost, r.data.data(), r.data.size(), scratch,
                              sizeof scratch, m) != gsc::ControlOpenResult::kOk) {
            out.push_back({r.channel, r.reliable, UINT32_MAX, 0, {}});
            continue;
        }
        out.push_back({r.channel, r.reliable, m.sequence, m.type, Bytes(m.payload, m.payload + m.payload_bytes)});
    }
    return out;
}

std::vector<Opened> of_type(const std::vector<Opened> &list, uint16_t type) {
    std::vector<Opened> out;
    for (const auto &o : list) {
        if (o.type == type) out.push_back(o);
    }
    return out;
}

// Host-side sealing with its own sequence counter.
struct HostSealer {
    uint32_t sequence = 0;
    Bytes seal(uint16_t type, const Bytes &payload) {
        Bytes out(gsc::kControlMaxEnvelopeBytes);
        const size_t n = gsc::control_seal(kKey, sequence++, gsc::ControlDirection::kHostToClient, type, payload.data(),
                                           payload.size(), out.data(), out.size());
        out.resize(n);
        return out;
    }
};

bool start(Pair<ControlStream> &pair) {
    if (pair.client.start(pair.now_us) != GSC_OK) return false;
    pair.flush();
    pair.run_until(pair.now_us + 10 * kMs);
    return pair.client.state() == gsc::ControlState::kStreaming && pair.control_events.size() == 1 &&
           pair.control_events[0].kind == ControlEvent::Kind::kConnected;
}

TEST(control_stream_sends_the_start_sequence_then_a_ping_every_100_ms) {
    ControlStream stream;
    REQUIRE_EQ(stream.init(test_config()), GSC_OK);
    Pair<ControlStream> pair(stream, LinkConfig{}, 1);
    REQUIRE(start(pair));
    CHECK_EQ(pair.host.connect.user_data, 1234u);
    CHECK_EQ(pair.host.connect.connect_id, 0xabcdef01u);
    pair.run_until(1004 * kMs);
    const auto messages = opened(pair.host);
    REQUIRE(messages.size() >= 4);
    CHECK_EQ(messages[0].type, gsc::kControlTypeRequestIdr);
    CHECK(messages[0].payload == gsc_test::hex("0000"));
    CHECK_EQ(messages[1].type, gsc::kControlTypeStartB);
    CHECK(messages[1].payload == gsc_test::hex("00"));
    for (size_t i = 0; i < messages.size(); ++i) {
        CHECK_EQ(messages[i].sequence, i);
        CHECK_EQ(messages[i].channel, 0);
        CHECK(messages[i].reliable);
    }
    const auto pings = of_type(messages, gsc::kControlTypePeriodicPing);
    CHECK_EQ(pings.size(), 11u);  // at connect (2 ms: a round trip) and every 100 ms to 1002 ms
    for (const auto &p : pings) CHECK(p.payload == gsc_test::hex("0400000000000000"));
    CHECK_EQ(stream.stats().pings_sent, 11u);
}

TEST(control_stream_idr_and_rfi_requests_go_reliable_on_the_urgent_channel) {
    ControlStream stream;
    REQUIRE_EQ(stream.init(test_config()), GSC_OK);
    Pair<ControlStream> pair(stream, LinkConfig{}, 2);
    REQUIRE(start(pair));
    REQUIRE_EQ(stream.request_idr(pair.now_us), GSC_OK);
    REQUIRE_EQ(stream.request_rfi(0x01020304, 0x01020310, pair.now_us), GSC_OK);
    pair.flush();
    pair.run_until(pair.now_us + 10 * kMs);
    const auto messages = opened(pair.host);
    const auto idr = of_type(messages, gsc::kControlTypeRequestIdr);
    REQUIRE_EQ(idr.size(), 2u);  // the start message and ours
    CHECK_EQ(idr[1].channel, 1);
    CHECK(idr[1].reliable);
    CHECK(idr[1].payload == gsc_test::hex("0000"));
    const auto rfi = of_type(messages, gsc::kControlTypeInvalidateRefFrames);
    REQUIRE_EQ(rfi.size(), 1u);
    CHECK_EQ(rfi[0].channel, 1);
    CHECK(rfi[0].payload == gsc_test::hex("04030201 00000000 10030201 00000000 0000000000000000"));
    CHECK_EQ(stream.stats().idr_requests, 1u);
    CHECK_EQ(stream.stats().rfi_requests, 1u);
}

TEST(control_stream_fec_status_reports_go_with_the_next_ping_at_most_8) {
    ControlStream stream;
    REQUIRE_EQ(stream.init(test_config()), GSC_OK);
    Pair<ControlStream> pair(stream, LinkConfig{}, 3);
    REQUIRE(start(pair));
    gsc::ControlFecStatus status{};
    status.frame_index = 0x11223344;
    status.highest_received_seq = 0x0102;
    status.next_contiguous_seq = 0x0304;
    status.missing_below_highest = 2;
    status.data_shards = 5;
    status.parity_shards = 2;
    status.data_received = 3;
    status.parity_received = 1;
    status.fec_percentage = 40;
    status.block_index = 0;
    status.block_count = 1;
    for (int i = 0; i < 9; ++i) REQUIRE_EQ(stream.report_fec_status(status, pair.now_us), GSC_OK);
    pair.flush();
    CHECK(of_type(opened(pair.host), gsc::kControlTypeFrameFecStatus).empty());  // waits for the ping
    pair.run_until(150 * kMs);
    const auto reports = of_type(opened(pair.host), gsc::kControlTypeFrameFecStatus);
    REQUIRE_EQ(reports.size(), 8u);
    CHECK(!reports[0].reliable);
    CHECK_EQ(reports[0].channel, 0);
    CHECK(reports[0].payload == gsc_test::hex("11223344 0102 0304 0002 0005 0002 0003 0001 28 00 01"));
    CHECK_EQ(stream.stats().fec_status_sent, 8u);
    CHECK_EQ(stream.stats().fec_status_dropped, 1u);

    gsc::ControlStreamConfig without = test_config();
    without.client_feature_flags = 0x02;
    ControlStream other;
    REQUIRE_EQ(other.init(without), GSC_OK);
    Pair<ControlStream> other_pair(other, LinkConfig{}, 4);
    REQUIRE(start(other_pair));
    CHECK_EQ(other.report_fec_status(status, other_pair.now_us), GSC_ERR_BAD_STATE);
}

TEST(control_stream_host_messages_become_events) {
    ControlStream stream;
    REQUIRE_EQ(stream.init(test_config()), GSC_OK);
    Pair<ControlStream> pair(stream, LinkConfig{}, 5);
    REQUIRE(start(pair));
    HostSealer host;
    pair.host.send_reliable(0, host.seal(gsc::kControlTypeRumble, gsc_test::hex("eeffc000 0100 3412 ffff")));
    pair.host.send_reliable(0, host.seal(gsc::kControlTypeRumbleTriggers, gsc_test::hex("0200 1000 2000")));
    pair.host.send_reliable(0, host.seal(gsc::kControlTypeHdrMode,
                                         gsc_test::hex("01 a886 4f3e 5e2f 3b84 b21d d50b 3d3d d040 e803 3200 e803 9001 e803")));
    pair.host.send_reliable(0, host.seal(gsc::kControlTypeSetMotionEvent, gsc_test::hex("0000 6400 01")));
    pair.host.send_reliable(0, host.seal(0x7777, gsc_test::hex("00")));
    pair.host_flush();
    pair.run_until(pair.now_us + 10 * kMs);
    REQUIRE_EQ(pair.control_events.size(), 4u);
    const ControlEvent &rumble = pair.control_events[1];
    CHECK(rumble.kind == ControlEvent::Kind::kRumble);
    CHECK_EQ(rumble.rumble.controller, 1);
    CHECK_EQ(rumble.rumble.low_frequency, 0x1234);
    CHECK_EQ(rumble.rumble.high_frequency, 0xffff);
    const ControlEvent &triggers = pair.control_events[2];
    CHECK(triggers.kind == ControlEvent::Kind::kRumbleTriggers);
    CHECK_EQ(triggers.rumble_triggers.controller, 2);
    CHECK_EQ(triggers.rumble_triggers.left, 0x10);
    CHECK_EQ(triggers.rumble_triggers.right, 0x20);
    const ControlEvent &hdr = pair.control_events[3];
    CHECK(hdr.kind == ControlEvent::Kind::kHdrMode);
    CHECK(hdr.hdr.enabled);
    CHECK(hdr.hdr.has_metadata);
    CHECK_EQ(hdr.hdr.metadata.primaries_x[0], 34472);  // BT.2020 red x = 0.708
    CHECK_EQ(hdr.hdr.metadata.primaries_y[2], 3029);
    CHECK_EQ(hdr.hdr.metadata.white_point_x, 15677);
    CHECK_EQ(hdr.hdr.metadata.max_display_luminance_nits, 1000);
    CHECK_EQ(hdr.hdr.metadata.max_full_frame_luminance_nits, 1000);
    const gsc::ControlStats stats = stream.stats();
    CHECK_EQ(stats.messages_received, 5u);
    CHECK_EQ(stats.ignored_messages, 1u);
    CHECK_EQ(stats.unknown_messages, 1u);
}

TEST(control_stream_bad_packets_are_dropped_and_counted_never_fatal) {
    ControlStream stream;
    REQUIRE_EQ(stream.init(test_config()), GSC_OK);
    Pair<ControlStream> pair(stream, LinkConfig{}, 6);
    REQUIRE(start(pair));
    HostSealer host;
    Bytes tampered = host.seal(gsc::kControlTypeRumble, gsc_test::hex("00000000 0000 0100 0100"));
    tampered.back() ^= 1;
    pair.host.send_reliable(0, tampered);
    pair.host.send_reliable(0, gsc_test::hex("0b01 0a00 00000000 0000 0100 0100"));  // V1 framing, no envelope
    pair.host.send_reliable(0, gsc_test::hex("0100 1000 00000000"));                 // envelope cut short
    pair.host.send_reliable(0, host.seal(gsc::kControlTypeRumble, gsc_test::hex("00000000 0000 0100")));  // short rumble
    pair.host.send_reliable(0, host.seal(gsc::kControlTypeHdrMode, gsc_test::hex("00")));  // GFE's 1-byte form: fine
    pair.host_flush();
    pair.run_until(pair.now_us + 10 * kMs);
    const gsc::ControlStats stats = stream.stats();
    CHECK_EQ(stats.auth_failures, 1u);
    CHECK_EQ(stats.not_encrypted, 1u);
    CHECK_EQ(stats.malformed, 2u);
    REQUIRE_EQ(pair.control_events.size(), 2u);
    CHECK(pair.control_events[1].kind == ControlEvent::Kind::kHdrMode);
    CHECK(!pair.control_events[1].hdr.has_metadata);
    CHECK(stream.state() == gsc::ControlState::kStreaming);
}

TEST(control_stream_termination_message_ends_with_the_host_code_and_drops_the_peer) {
    struct Case {
        const char *name;
        uint16_t type;
        const char *payload;
        uint32_t code;
        bool extended;
    };
    const Case cases[] = {
        {"Sunshine's extended code", gsc::kControlTypeTermination, "80030023", 0x80030023, true},
        {"GFE protected content", gsc::kControlTypeTermination, "800e9302", 0x800e9302, true},
        {"short form, intended", gsc::kControlTypeTerminationShort, "0001", 0x0100, false},
    };
    for (const auto &c : cases) {
        ControlStream stream;
        REQUIRE_EQ(stream.init(test_config()), GSC_OK);
        Pair<ControlStream> pair(stream, LinkConfig{}, 7);
        REQUIRE(start(pair));
        HostSealer host;
        pair.host.send_reliable(0, host.seal(c.type, gsc_test::hex(c.payload)));
        pair.host.send_reliable(0, host.seal(gsc::kControlTypeRumble, gsc_test::hex("00000000 0000 0100 0100")));
        pair.host_flush();
        pair.run_until(pair.now_us + 3000 * kMs);
        REQUIRE_EQ(pair.control_events.size(), 2u);
        const ControlEvent &end = pair.control_events[1];
        CHECK(end.kind == ControlEvent::Kind::kTerminated);
        CHECK(end.termination.cause == ControlTerminationCause::kHostTerminated);
        CHECK_EQ(end.termination.host_code, c.code);
        CHECK_EQ(end.termination.extended_code, c.extended);
        CHECK(stream.state() == gsc::ControlState::kEnded);
        CHECK(pair.host.client_disconnected);
        CHECK_EQ(stream.next_deadline_us(), UINT64_MAX);
        if (gsc_test::current_failures() != 0) std::fprintf(stderr, "  case: %s\n", c.name);
    }
}

TEST(control_stream_session_ends_within_3_s_of_the_host_vanishing) {
    ControlStream stream;
    REQUIRE_EQ(stream.init(test_config()), GSC_OK);
    Pair<ControlStream> pair(stream, LinkConfig{}, 8);
    REQUIRE(start(pair));
    pair.run_until(2000 * kMs);
    const uint64_t vanished_at = pair.now_us;
    pair.host.vanished = true;
    pair.run_until(vanished_at + 10000 * kMs);
    REQUIRE_EQ(pair.control_events.size(), 2u);
    CHECK(pair.control_events[1].termination.cause == ControlTerminationCause::kTimeout);
    CHECK(pair.control_event_times[1] <= vanished_at + 3000 * kMs);
    CHECK(pair.control_event_times[1] >= vanished_at + 2500 * kMs);
}

TEST(control_stream_host_enet_disconnect_and_stop_and_failed_connect_end_the_session) {
    {
        ControlStream stream;
        REQUIRE_EQ(stream.init(test_config()), GSC_OK);
        Pair<ControlStream> pair(stream, LinkConfig{}, 9);
        REQUIRE(start(pair));
        pair.host.send_disconnect(0);
        pair.host_flush();
        pair.run_until(pair.now_us + 10 * kMs);
        REQUIRE_EQ(pair.control_events.size(), 2u);
        CHECK(pair.control_events[1].termination.cause == ControlTerminationCause::kHostDisconnected);
    }
    {
        ControlStream stream;
        REQUIRE_EQ(stream.init(test_config()), GSC_OK);
        Pair<ControlStream> pair(stream, LinkConfig{}, 10);
        REQUIRE(start(pair));
        stream.stop(pair.now_us);
        pair.flush();
        CHECK_EQ(stream.request_idr(pair.now_us), GSC_ERR_BAD_STATE);
        pair.run_until(pair.now_us + 100 * kMs);
        CHECK(pair.host.client_disconnected);
        REQUIRE_EQ(pair.control_events.size(), 2u);
        CHECK(pair.control_events[1].termination.cause == ControlTerminationCause::kLocal);
    }
    {
        ControlStream stream;
        REQUIRE_EQ(stream.init(test_config()), GSC_OK);
        Pair<ControlStream> pair(stream, LinkConfig{}, 11);
        pair.host.answer_connect = false;
        REQUIRE_EQ(stream.start(0), GSC_OK);
        CHECK_EQ(stream.request_idr(0), GSC_ERR_BAD_STATE);
        pair.flush();
        pair.run_until(20000 * kMs);
        REQUIRE_EQ(pair.control_events.size(), 1u);
        CHECK(pair.control_events[0].termination.cause == ControlTerminationCause::kConnectFailed);
        CHECK_EQ(pair.control_event_times[0], 10000 * kMs);
    }
}

TEST(control_stream_send_message_limits) {
    ControlStream stream;
    REQUIRE_EQ(stream.init(test_config()), GSC_OK);
    Pair<ControlStream> pair(stream, LinkConfig{}, 12);
    const Bytes big(gsc::kControlMaxPayloadBytes + 1, 0x5a);
    CHECK_EQ(stream.send_message(gsc::kControlTypeInputData, big.data(), 4, 0, gsc::EnetDelivery::kReliable, 0),
             GSC_ERR_BAD_STATE);
    REQUIRE(start(pair));
    CHECK_EQ(stream.send_message(gsc::kControlTypeInputData, big.data(), big.size(), 0, gsc::EnetDelivery::kReliable,
                                 pair.now_us),
             GSC_ERR_BAD_LENGTH);
    CHECK_EQ(stream.send_message(gsc::kControlTypeInputData, big.data(), 4, 48, gsc::EnetDelivery::kReliable, pair.now_us),
             GSC_ERR_BAD_ARGUMENT);
    REQUIRE_EQ(stream.send_message(gsc::kControlTypeInputData, big.data(), big.size() - 1, 0x10,
                                   gsc::EnetDelivery::kReliable, pair.now_us),
               GSC_OK);
    pair.flush();
    pair.run_until(pair.now_us + 10 * kMs);
    const auto input = of_type(opened(pair.host), gsc::kControlTypeInputData);
    REQUIRE_EQ(input.size(), 1u);
    CHECK_EQ(input[0].channel, 0x10);
    CHECK(input[0].payload == Bytes(big.begin(), big.end() - 1));
}

TEST(control_stream_handle_timeout_early_or_twice_sends_nothing_extra) {
    ControlStream stream;
    REQUIRE_EQ(stream.init(test_config()), GSC_OK);
    Pair<ControlStream> pair(stream, LinkConfig{}, 13);
    REQUIRE(start(pair));
    const uint64_t deadline = stream.next_deadline_us();
    const size_t before = pair.client_sent.size();
    stream.handle_timeout(deadline - 1);
    stream.handle_timeout(deadline - 1);
    pair.flush();
    CHECK_EQ(pair.client_sent.size(), before);
    stream.handle_timeout(deadline);
    pair.flush();
    const size_t after = pair.client_sent.size();
    CHECK_EQ(after, before + 1);
    stream.handle_timeout(deadline);
    pair.flush();
    CHECK_EQ(pair.client_sent.size(), after);
}

}  // namespace
