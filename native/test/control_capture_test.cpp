// The control stream against the recorded Sunshine sessions (shared/captures): every control
// message on udp/47999 decrypts to what control-messages.jsonl says, and a ControlStream fed
// the host's datagrams at their recorded times connects as the reference client did,
// acknowledges everything the host sent reliably, and sends the reference client's messages.
#include <cmath>
#include <cstring>
#include <set>
#include <tuple>

#include "control_envelope.hpp"
#include "control_messages.hpp"
#include "control_stream.hpp"
#include "enet_test_support.hpp"
#include "test_harness.hpp"

namespace {

using enet_test::Bytes;
using enet_test::RecordedMessage;
using enet_test::RecordedSession;

struct Decoded {
    uint64_t time_us;
    uint8_t channel;
    uint16_t reliable_seq;
    uint32_t envelope_seq;
    uint16_t type;
    Bytes payload;
    Bytes packet;  // the ENet packet: the envelope as sent
};

bool is_data(gsc::EnetCommandType type) {
    return type == gsc::EnetCommandType::kSendReliable || type == gsc::EnetCommandType::kSendUnreliable ||
           type == gsc::EnetCommandType::kSendUnsequenced || type == gsc::EnetCommandType::kSendFragment;
}

// Opens every control message of `datagrams` sent in `direction`; false if one fails.
bool decode_all(const uint8_t *key, const std::vector<enet_test::EnetDatagram> &datagrams, bool from_host,
                std::vector<Decoded> &out) {
    const auto direction = from_host ? gsc::ControlDirection::kHostToClient : gsc::ControlDirection::kClientToHost;
    for (const auto &d : datagrams) {
        if (d.from_host != from_host) continue;
        gsc::EnetDatagramHeader header{};
        std::vector<gsc::EnetCommand> commands;
        if (!enet_test::parse_all(d.bytes, header, commands)) return false;
        for (const auto &c : commands) {
            if (!is_data(c.type)) continue;
            uint8_t scratch[gsc::kControlMessageHeaderBytes + gsc::kControlMaxPayloadBytes];
            gsc::ControlMessage m{};
            if (gsc::control_open(key, direction, c.data, c.data_size, scratch, sizeof scratch, m) !=
                gsc::ControlOpenResult::kOk) {
                return false;
            }
            out.push_back({d.time_us, c.channel, c.reliable_seq, m.sequence, m.type, Bytes(m.payload, m.payload + m.payload_bytes),
                           Bytes(c.data, c.data + c.data_size)});
        }
    }
    return true;
}

TEST(control_capture_every_recorded_message_decrypts_to_the_jsonl_record) {
    for (const auto &session : enet_test::kSessions) {
        RecordedSession recorded;
        if (!enet_test::load_session(session, recorded)) {
            std::fprintf(stderr, "  (skipped: %s not found)\n", session.folder);
            continue;
        }
        std::vector<Decoded> all;
        REQUIRE(decode_all(recorded.key, recorded.datagrams, false, all));
        std::vector<Decoded> from_host;
        REQUIRE(decode_all(recorded.key, recorded.datagrams, true, from_host));
        all.insert(all.end(), from_host.begin(), from_host.end());
        std::stable_sort(all.begin(), all.end(), [](const Decoded &a, const Decoded &b) { return a.time_us < b.time_us; });
        REQUIRE_EQ(all.size(), recorded.messages.size());
        const uint64_t t0 = recorded.datagrams.front().time_us;
        uint32_t mismatches = 0;
        for (size_t i = 0; i < all.size(); ++i) {
            const Decoded &ours = all[i];
            const RecordedMessage &want = recorded.messages[i];
            const double ms = static_cast<double>(ours.time_us - t0) / 1000.0;
            const bool same = ours.channel == want.channel && ours.reliable_seq == want.reliable_seq &&
                              ours.envelope_seq == want.envelope_seq && ours.type == want.type &&
                              ours.payload == want.payload && std::fabs(ms - want.ms) < 0.06;
            if (!same && mismatches++ < 3) std::fprintf(stderr, "  %s: message %zu differs\n", session.folder, i);
        }
        CHECK_EQ(mismatches, 0u);
    }
}

// The messages of `list` once each (ENet retransmissions removed), in envelope order.
std::vector<Decoded> first_copies(const std::vector<Decoded> &list) {
    std::vector<Decoded> out;
    std::set<uint32_t> seen;
    for (const auto &d : list) {
        if (seen.insert(d.envelope_seq).second) out.push_back(d);
    }
    return out;
}

struct Replay {
    std::vector<enet_test::EnetDatagram> sent;  // what our client sent, with times
    std::vector<gsc::ControlEvent> events;
    std::vector<uint64_t> event_times;
    gsc::ControlStats stats{};
    gsc::ControlStats stats_at_stop{};  // before stop(): what the recorded session alone did
    uint64_t stopped_at_us = 0;
};

// Runs a ControlStream through one recorded session: the host's datagrams at their times,
// the reference client's input messages (which come from the input module, not the control
// stream) at theirs, timers in between, then stop().
bool replay(const RecordedSession &recorded, Replay &out) {
    gsc::EnetDatagramHeader header{};
    std::vector<gsc::EnetCommand> connect;
    if (!enet_test::parse_all(recorded.datagrams.front().bytes, header, connect) || connect.size() != 1) return false;

    gsc::ControlStreamConfig config;
    std::memcpy(config.key, recorded.key, sizeof config.key);
    config.connect_data = recorded.connect_data;
    config.enet.connect_id = connect[0].connect_id;  // the reference client's random draw
    gsc::ControlStream stream;
    if (stream.init(config) != GSC_OK) return false;

    const uint64_t t0 = recorded.datagrams.front().time_us;
    uint64_t now = t0;
    auto drain = [&]() {
        uint8_t buffer[gsc::kEnetMaxMtu];
        for (size_t n; (n = stream.poll_transmit(buffer, sizeof buffer)) != 0;) {
            out.sent.push_back({now, false, Bytes(buffer, buffer + n)});
        }
        gsc::ControlEvent e{};
        while (stream.poll_event(e)) {
            out.events.push_back(e);
            out.event_times.push_back(now);
        }
    };
    auto run_timers_until = [&](uint64_t t) {
        while (stream.next_deadline_us() <= t) {
            now = std::max(now, stream.next_deadline_us());
            stream.handle_timeout(now);
            drain();
        }
        now = std::max(now, t);
    };
    if (stream.start(now) != GSC_OK) return false;
    drain();

    // The input module's messages, at the reference client's times.
    struct Injection {
        uint64_t time_us;
        const RecordedMessage *message;
    };
    std::vector<Injection> injections;
    std::set<uint32_t> seen;
    for (const auto &m : recorded.messages) {
        if (!m.from_host && m.type == gsc::kControlTypeInputData && seen.insert(m.envelope_seq).second) {
            injections.push_back({t0 + static_cast<uint64_t>(std::llround(m.ms * 1000.0)), &m});
        }
    }
    // stop() when the reference client sent its DISCONNECT (the end of the capture otherwise).
    uint64_t stop_at = UINT64_MAX;
    for (const auto &d : recorded.datagrams) {
        std::vector<gsc::EnetCommand> commands;
        if (d.from_host || !enet_test::parse_all(d.bytes, header, commands)) continue;
        for (const auto &c : commands) {
            if (c.type == gsc::EnetCommandType::kDisconnect) stop_at = std::min(stop_at, d.time_us);
        }
    }
    // Our pings keep a slightly faster cadence than the reference's, so the recording may not
    // acknowledge our last one, and a graceful stop waits for that. A live host would
    // acknowledge it: the test plays that part for what we sent in the last second.
    auto acknowledge_recent = [&]() {
        Bytes acks = gsc_test::hex("0000");
        uint32_t count = 0;
        for (const auto &d : out.sent) {
            std::vector<gsc::EnetCommand> commands;
            gsc::EnetDatagramHeader h{};
            if (d.time_us + 1000000 < now || !enet_test::parse_all(d.bytes, h, commands)) continue;
            for (const auto &c : commands) {
                if ((c.flags & gsc::kEnetFlagAcknowledge) == 0 || c.type == gsc::EnetCommandType::kDisconnect ||
                    count == gsc::kEnetMaxCommandsPerDatagram) {
                    continue;
                }
                uint8_t wire[8];
                gsc::EnetDatagramWriter w(wire, sizeof wire);
                (void)w.acknowledge(c.channel, c.reliable_seq, h.sent_time);
                acks.insert(acks.end(), wire, wire + w.size());
                ++count;
            }
        }
        if (count != 0) stream.handle_datagram(acks.data(), acks.size(), now);
        drain();
    };
    auto stop = [&]() {
        out.stats_at_stop = stream.stats();
        out.stopped_at_us = now;
        stream.stop(now);
        drain();
        acknowledge_recent();
    };
    size_t next_injection = 0;
    for (const auto &d : recorded.datagrams) {
        if (!d.from_host) continue;
        if (out.stopped_at_us == 0 && stop_at <= d.time_us) {
            run_timers_until(stop_at);
            stop();
        }
        while (next_injection < injections.size() && injections[next_injection].time_us <= d.time_us) {
            const Injection &in = injections[next_injection++];
            run_timers_until(in.time_us);
            const RecordedMessage &m = *in.message;
            if (stream.send_message(m.type, m.payload.data(), m.payload.size(), static_cast<uint8_t>(m.channel),
                                    gsc::EnetDelivery::kReliable, now) != GSC_OK) {
                return false;
            }
            drain();
        }
        run_timers_until(d.time_us);
        stream.handle_datagram(d.bytes.data(), d.bytes.size(), now);
        drain();
    }
    if (out.stopped_at_us == 0) stop();
    run_timers_until(now + 5000000);
    out.stats = stream.stats();
    return true;
}

TEST(control_capture_replayed_sessions_connect_acknowledge_and_send_the_reference_messages) {
    for (const auto &session : enet_test::kSessions) {
        RecordedSession recorded;
        if (!enet_test::load_session(session, recorded)) continue;
        Replay run;
        REQUIRE(replay(recorded, run));
        REQUIRE(!run.sent.empty());

        // CONNECT: the reference's command byte for byte (same connect id, data, MTU, channels,
        // window, throttle), from peer id 0xFFF with a sent time (whose clock differs).
        const Bytes &ref_connect = recorded.datagrams.front().bytes;
        const Bytes &our_connect = run.sent.front().bytes;
        REQUIRE_EQ(our_connect.size(), ref_connect.size());
        CHECK(our_connect[0] == ref_connect[0] && our_connect[1] == ref_connect[1]);
        CHECK(Bytes(our_connect.begin() + 4, our_connect.end()) == Bytes(ref_connect.begin() + 4, ref_connect.end()));

        // Every reliable command of the host acknowledged, echoing its datagram's sent time.
        std::multiset<std::tuple<uint8_t, uint16_t, uint16_t>> our_acks;
        for (const auto &d : run.sent) {
            gsc::EnetDatagramHeader header{};
            std::vector<gsc::EnetCommand> commands;
            REQUIRE(enet_test::parse_all(d.bytes, header, commands));
            for (const auto &c : commands) {
                if (c.type == gsc::EnetCommandType::kAcknowledge) {
                    our_acks.insert({c.channel, c.received_reliable_seq, c.received_sent_time});
                }
            }
        }
        uint32_t host_reliable = 0, missing = 0;
        for (const auto &d : recorded.datagrams) {
            if (!d.from_host) continue;
            gsc::EnetDatagramHeader header{};
            std::vector<gsc::EnetCommand> commands;
            REQUIRE(enet_test::parse_all(d.bytes, header, commands));
            for (const auto &c : commands) {
                if ((c.flags & gsc::kEnetFlagAcknowledge) == 0) continue;
                ++host_reliable;
                if (our_acks.count({c.channel, c.reliable_seq, header.sent_time}) == 0) ++missing;
            }
        }
        CHECK(host_reliable > 10);
        CHECK_EQ(missing, 0u);

        // Our messages: the reference client's, one for one (type, channel, ENet sequence,
        // envelope sequence, payload), and byte-identical envelopes (same key, nonce, plaintext).
        std::vector<Decoded> ours, reference;
        REQUIRE(decode_all(recorded.key, run.sent, false, ours));
        REQUIRE(decode_all(recorded.key, recorded.datagrams, false, reference));
        ours = first_copies(ours);
        reference = first_copies(reference);
        REQUIRE(ours.size() >= 5);
        const uint16_t start[] = {gsc::kControlTypeRequestIdr, gsc::kControlTypeStartB, gsc::kControlTypePeriodicPing};
        for (size_t i = 0; i < 3; ++i) CHECK_EQ(ours[i].type, start[i]);
        const size_t common = std::min(ours.size(), reference.size());
        CHECK(ours.size() + 2 >= reference.size() && reference.size() + 2 >= ours.size());
        uint32_t differ = 0;
        for (size_t i = 0; i < common; ++i) {
            const bool same = ours[i].type == reference[i].type && ours[i].channel == reference[i].channel &&
                              ours[i].reliable_seq == reference[i].reliable_seq &&
                              ours[i].envelope_seq == reference[i].envelope_seq && ours[i].payload == reference[i].payload &&
                              ours[i].packet == reference[i].packet;
            if (!same && differ++ < 3) std::fprintf(stderr, "  %s: our message %zu differs\n", session.folder, i);
        }
        CHECK_EQ(differ, 0u);

        // Events: connected, the host's HDR message once (SDR, 27 zero bytes), and the end of
        // the session only after stop(), as a local close.
        REQUIRE(run.events.size() == 3u);
        CHECK(run.events[0].kind == gsc::ControlEvent::Kind::kConnected);
        CHECK(run.events[1].kind == gsc::ControlEvent::Kind::kHdrMode);
        CHECK(!run.events[1].hdr.enabled);
        CHECK(run.events[1].hdr.has_metadata);
        CHECK(run.events[2].kind == gsc::ControlEvent::Kind::kTerminated);
        CHECK(run.events[2].termination.cause == gsc::ControlTerminationCause::kLocal);
        CHECK(run.event_times[2] >= run.stopped_at_us);

        // Our DISCONNECT has the reference's shape: acknowledged, channel 0xFF, data 0.
        gsc::EnetCommand our_disconnect{}, ref_disconnect{};
        for (const auto &list : {&run.sent, &recorded.datagrams}) {
            for (const auto &d : *list) {
                if (d.from_host) continue;
                gsc::EnetDatagramHeader header{};
                std::vector<gsc::EnetCommand> commands;
                REQUIRE(enet_test::parse_all(d.bytes, header, commands));
                for (const auto &c : commands) {
                    if (c.type == gsc::EnetCommandType::kDisconnect) (list == &run.sent ? our_disconnect : ref_disconnect) = c;
                }
            }
        }
        CHECK(our_disconnect.type == gsc::EnetCommandType::kDisconnect);
        CHECK_EQ(our_disconnect.flags, ref_disconnect.flags);
        CHECK_EQ(our_disconnect.channel, ref_disconnect.channel);
        CHECK_EQ(our_disconnect.user_data, ref_disconnect.user_data);

        // Nothing malformed, nothing refused, nothing lost.
        const gsc::ControlStats &s = run.stats;
        CHECK_EQ(s.enet.malformed, 0u);
        CHECK_EQ(s.enet.foreign, 0u);
        CHECK_EQ(run.stats_at_stop.enet.ignored, 0u);
        CHECK_EQ(s.enet.receive.refused, 0u);
        CHECK_EQ(s.malformed + s.auth_failures + s.not_encrypted + s.too_large + s.unknown_messages, 0u);
        CHECK_EQ(s.hdr_mode, 1u);
        CHECK_EQ(s.events_dropped, 0u);
        CHECK_EQ(s.send_failures, 0u);
    }
}

TEST(control_capture_host_retransmission_is_acknowledged_again_and_delivered_once) {
    // In sunshine-0.23.1/dev-h265-720p60 the host sent its HDR message twice (4.8 ms).
    RecordedSession recorded;
    if (!enet_test::load_session(enet_test::kSessions[1], recorded)) return;
    Replay run;
    REQUIRE(replay(recorded, run));
    CHECK(run.stats.enet.receive.duplicates >= 1);
    CHECK_EQ(run.stats.hdr_mode, 1u);
}

}  // namespace
