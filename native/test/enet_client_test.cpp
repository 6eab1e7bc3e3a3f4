// The ENet client against a scripted host on an in-memory link with virtual time: connect,
// retransmission, reordering and duplicates, fragments, unreliable and unsequenced packets,
// keepalive, peer timeout, disconnects, limits, and determinism.
#include <cstring>

#include "enet_client.hpp"
#include "enet_test_support.hpp"
#include "test_harness.hpp"

namespace {

using enet_test::Bytes;
using enet_test::EventCopy;
using enet_test::LinkConfig;
using enet_test::Pair;
using gsc::EnetClient;
using gsc::EnetDelivery;
using gsc::EnetDisconnectReason;
using gsc::EnetEvent;

constexpr uint32_t kConnectData = 0xde40f465;
constexpr uint32_t kConnectId = 0x3c5a9338;
constexpr uint64_t kMs = 1000;

gsc::EnetClientConfig test_config() {
    gsc::EnetClientConfig c;
    c.connect_id = kConnectId;
    return c;
}

std::vector<EventCopy> of_kind(const std::vector<EventCopy> &events, EnetEvent::Kind kind) {
    std::vector<EventCopy> out;
    for (const auto &e : events) {
        if (e.kind == kind) out.push_back(e);
    }
    return out;
}

// Connects `pair`'s client at time 0 and runs until the handshake is over.
bool connect(Pair<EnetClient> &pair) {
    if (pair.client.connect(kConnectData, 0) != GSC_OK) return false;
    pair.flush();
    for (int i = 0; i < 50 && pair.client.state() == gsc::EnetState::kConnecting; ++i) {
        pair.run_until(pair.now_us + 10 * kMs);
    }
    return pair.client.state() == gsc::EnetState::kConnected &&
           of_kind(pair.enet_events, EnetEvent::Kind::kConnected).size() == 1;
}

bool has_command(const Bytes &datagram, gsc::EnetCommandType type) {
    gsc::EnetDatagramHeader header{};
    std::vector<gsc::EnetCommand> commands;
    if (!enet_test::parse_all(datagram, header, commands)) return false;
    for (const auto &c : commands) {
        if (c.type == type) return true;
    }
    return false;
}

TEST(enet_client_connect_is_the_reference_clients_connect) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    REQUIRE_EQ(client.connect(kConnectData, 1234567), GSC_OK);
    uint8_t buffer[gsc::kEnetMaxMtu];
    const size_t size = client.poll_transmit(buffer, sizeof buffer);
    // The CONNECT of sunshine-0.23.1/dev-h264-720p60 with its sent time (1234567 µs -> 1234 ms).
    CHECK_BYTES(buffer, size,
                "8fff 04d2 82ff0001 0000 ff ff 00000384 00010000 00000030 00000000 00000000 00001388 00000002 00000002 "
                "3c5a9338 de40f465");
    CHECK_EQ(client.poll_transmit(buffer, sizeof buffer), 0u);
    CHECK(client.state() == gsc::EnetState::kConnecting);
}

TEST(enet_client_connects_acknowledges_verify_and_stamps_the_negotiated_ids) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 1);
    pair.host.verify_mtu = 700;
    pair.host.verify_channels = 10;
    REQUIRE(connect(pair));
    CHECK_EQ(client.mtu(), 700u);
    CHECK_EQ(client.channel_count(), 10u);
    // The ACK of VERIFY_CONNECT: peer id and session from VERIFY, no sent time (ACK only).
    REQUIRE(pair.client_sent.size() >= 2);
    gsc::EnetDatagramHeader header{};
    std::vector<gsc::EnetCommand> commands;
    REQUIRE(enet_test::parse_all(pair.client_sent[1], header, commands));
    CHECK_EQ(header.peer_id, 5);
    CHECK_EQ(header.session_id, 2);
    CHECK(!header.has_sent_time);
    REQUIRE_EQ(commands.size(), 1u);
    CHECK(commands[0].type == gsc::EnetCommandType::kAcknowledge);
    CHECK_EQ(commands[0].channel, 0xff);
    CHECK_EQ(commands[0].received_reliable_seq, 1);
    CHECK_EQ(pair.host.wrong_session, 0u);
    CHECK_EQ(client.send(10, EnetDelivery::kReliable, nullptr, 0, pair.now_us), GSC_ERR_BAD_ARGUMENT);
}

TEST(enet_client_verify_with_another_connect_id_is_refused) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    REQUIRE_EQ(client.connect(kConnectData, 0), GSC_OK);
    uint8_t buffer[gsc::kEnetMaxMtu];
    while (client.poll_transmit(buffer, sizeof buffer) != 0) {
    }
    const Bytes verify = gsc_test::hex(
        "8000 0001 83ff0001 0000 00 00 00000384 00010000 00000030 00000000 00000000 00001388 00000002 00000002 "
        "3c5a9339");
    client.receive(verify.data(), verify.size(), 1000);
    EnetEvent event{};
    REQUIRE(client.poll_event(event));
    CHECK(event.kind == EnetEvent::Kind::kDisconnected);
    CHECK(event.reason == EnetDisconnectReason::kRefused);
    CHECK(client.state() == gsc::EnetState::kClosed);
    CHECK_EQ(client.poll_transmit(buffer, sizeof buffer), 0u);
}

TEST(enet_client_unanswered_connect_is_retransmitted_then_times_out) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 2);
    pair.host.answer_connect = false;
    REQUIRE_EQ(client.connect(kConnectData, 0), GSC_OK);
    pair.flush();
    pair.run_until(15000 * kMs);
    CHECK(pair.host.connects_seen >= 5);
    const auto closed = of_kind(pair.enet_events, EnetEvent::Kind::kDisconnected);
    REQUIRE_EQ(closed.size(), 1u);
    CHECK(closed[0].reason == EnetDisconnectReason::kConnectTimeout);
    CHECK_EQ(closed[0].time_us, 10000 * kMs);
    CHECK_EQ(client.next_deadline_us(), UINT64_MAX);
}

TEST(enet_client_lost_reliable_packet_is_retransmitted_and_delivered_once) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 3);
    REQUIRE(connect(pair));
    int copies = 0;
    pair.to_host.drop = [&](const Bytes &d) { return has_command(d, gsc::EnetCommandType::kSendReliable) && copies++ == 0; };
    const Bytes message = enet_test::pattern(40, 1);
    REQUIRE_EQ(client.send(0, EnetDelivery::kReliable, message.data(), message.size(), pair.now_us), GSC_OK);
    pair.flush();
    pair.run_until(pair.now_us + 400 * kMs);
    REQUIRE_EQ(pair.host.received.size(), 1u);
    CHECK(pair.host.received[0].data == message);
    CHECK_EQ(copies, 2);
    CHECK_EQ(client.stats().retransmissions, 1u);
    CHECK_EQ(pair.host.unacked_count(), 0u);
}

TEST(enet_client_reordered_and_duplicated_reliable_packets_are_delivered_once_in_order) {
    const uint64_t seed = enet_test::test_seed(4);
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    LinkConfig link;
    link.jitter_us = 30 * kMs;
    link.duplicate = 0.3;
    Pair<EnetClient> pair(client, link, seed);
    REQUIRE(connect(pair));
    std::vector<Bytes> sent;
    for (int i = 0; i < 24; ++i) {
        sent.push_back(enet_test::pattern(10 + i, static_cast<uint8_t>(i)));
        pair.host.send_reliable(static_cast<uint8_t>(i % 2 == 0 ? 0 : 3), sent.back());
    }
    pair.host_flush();
    pair.run_until(pair.now_us + 100 * kMs);
    pair.host.resend_unacked();  // copies of what was acknowledged late
    pair.host_flush();
    pair.run_until(pair.now_us + 100 * kMs);
    const auto received = of_kind(pair.enet_events, EnetEvent::Kind::kReceived);
    REQUIRE_EQ(received.size(), sent.size());
    // In order per channel; channels are independent.
    std::vector<Bytes> channel0, channel3;
    for (const auto &e : received) (e.channel == 0 ? channel0 : channel3).push_back(e.data);
    for (size_t i = 0; i < sent.size(); ++i) CHECK((i % 2 == 0 ? channel0[i / 2] : channel3[i / 2]) == sent[i]);
    CHECK_EQ(pair.host.unacked_count(), 0u);
    // The link did reorder and duplicate.
    CHECK(client.stats().receive.held > 0);
    CHECK(client.stats().receive.duplicates > 0);
    if (gsc_test::current_failures() != 0) std::fprintf(stderr, "  seed %llu\n", static_cast<unsigned long long>(seed));
}

TEST(enet_client_fragments_in_any_order_make_one_packet) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    LinkConfig link;
    link.jitter_us = 20 * kMs;
    Pair<EnetClient> pair(client, link, 5);
    REQUIRE(connect(pair));
    const Bytes big = enet_test::pattern(3000, 9);
    pair.host.send_fragmented(0, big, 500);
    pair.host.send_reliable(0, enet_test::pattern(5, 1));
    pair.host_flush();
    pair.run_until(pair.now_us + 100 * kMs);
    const auto received = of_kind(pair.enet_events, EnetEvent::Kind::kReceived);
    REQUIRE_EQ(received.size(), 2u);
    CHECK(received[0].data == big);
    CHECK(received[1].data == enet_test::pattern(5, 1));
    CHECK_EQ(client.stats().receive.fragments_dropped, 0u);
    CHECK(client.stats().receive.held > 0);
}

TEST(enet_client_fragmented_packet_over_max_packet_bytes_is_malformed) {
    gsc::EnetClientConfig config = test_config();
    config.max_packet_bytes = 2000;
    EnetClient client;
    REQUIRE_EQ(client.init(config), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 6);
    REQUIRE(connect(pair));
    pair.host.send_fragmented(0, enet_test::pattern(2001, 0), 500);  // limit + 1
    pair.host.send_fragmented(0, enet_test::pattern(2000, 0), 500);  // but that one is refused too: its seqs follow
    pair.host_flush();
    pair.run_until(pair.now_us + 50 * kMs);
    CHECK(of_kind(pair.enet_events, EnetEvent::Kind::kReceived).empty());
    CHECK(client.stats().malformed >= 1);
}

TEST(enet_client_large_reliable_send_goes_out_as_fragments) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    LinkConfig link;
    link.jitter_us = 10 * kMs;
    Pair<EnetClient> pair(client, link, 7);
    REQUIRE(connect(pair));
    const Bytes big = enet_test::pattern(2500, 3);
    REQUIRE_EQ(client.send(2, EnetDelivery::kReliable, big.data(), big.size(), pair.now_us), GSC_OK);
    pair.flush();
    pair.run_until(pair.now_us + 100 * kMs);
    REQUIRE_EQ(pair.host.received.size(), 1u);
    CHECK(pair.host.received[0].data == big);
    CHECK_EQ(pair.host.received[0].channel, 2);
    for (const auto &d : pair.client_sent) CHECK(d.size() <= 900u);
}

TEST(enet_client_unreliable_and_unsequenced_packets_drop_stale_copies) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 8);
    REQUIRE(connect(pair));
    pair.host.send_unsequenced(0, enet_test::pattern(4, 1), 1);
    pair.host.send_unsequenced(0, enet_test::pattern(4, 2), 1);  // same group: duplicate
    pair.host.send_unsequenced(0, enet_test::pattern(4, 3), 2);
    pair.host.send_unreliable(1, enet_test::pattern(4, 4));
    pair.host_flush();
    pair.run_until(pair.now_us + 10 * kMs);
    const auto received = of_kind(pair.enet_events, EnetEvent::Kind::kReceived);
    REQUIRE_EQ(received.size(), 3u);
    CHECK(received[0].data == enet_test::pattern(4, 1));
    CHECK(received[1].data == enet_test::pattern(4, 3));
    CHECK(received[2].data == enet_test::pattern(4, 4));
    CHECK_EQ(client.stats().receive.duplicates, 1u);
    // Unreliable and unsequenced from the client reach the host once each.
    const Bytes u = enet_test::pattern(8, 5);
    REQUIRE_EQ(client.send(0, EnetDelivery::kUnsequenced, u.data(), u.size(), pair.now_us), GSC_OK);
    REQUIRE_EQ(client.send(0, EnetDelivery::kUnreliable, u.data(), u.size(), pair.now_us), GSC_OK);
    pair.flush();
    pair.run_until(pair.now_us + 10 * kMs);
    REQUIRE_EQ(pair.host.received.size(), 2u);
    CHECK(!pair.host.received[0].reliable);
    CHECK(pair.host.received[1].data == u);
}

TEST(enet_client_idle_peer_pings_the_host_after_the_ping_interval) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 9);
    REQUIRE(connect(pair));
    pair.run_until(2000 * kMs);
    // One PING per ~500 ms of silence (each acknowledged after 2 ms), and no timeout.
    CHECK(pair.host.pings_seen >= 3 && pair.host.pings_seen <= 4);
    CHECK(client.state() == gsc::EnetState::kConnected);
    CHECK(client.stats().rtt_us < 10 * kMs);
}

TEST(enet_client_session_ends_within_3_s_of_the_host_vanishing) {
    // Idle, and sending every 100 ms as the control stream does, with the default timeout.
    for (const bool busy : {false, true}) {
        EnetClient client;
        REQUIRE_EQ(client.init(test_config()), GSC_OK);
        Pair<EnetClient> pair(client, LinkConfig{}, 10);
        REQUIRE(connect(pair));
        pair.run_until(1000 * kMs);
        const uint64_t vanished_at = pair.now_us;
        pair.host.vanished = true;
        for (uint64_t t = vanished_at; t < vanished_at + 5000 * kMs; t += 100 * kMs) {
            if (busy && client.state() == gsc::EnetState::kConnected) {
                const Bytes ping = enet_test::pattern(8, 0);
                (void)client.send(0, EnetDelivery::kReliable, ping.data(), ping.size(), pair.now_us);
                pair.flush();
            }
            pair.run_until(t + 100 * kMs);
        }
        const auto closed = of_kind(pair.enet_events, EnetEvent::Kind::kDisconnected);
        REQUIRE_EQ(closed.size(), 1u);
        CHECK(closed[0].reason == EnetDisconnectReason::kTimeout);
        CHECK(closed[0].time_us > vanished_at);
        CHECK(closed[0].time_us <= vanished_at + 3000 * kMs);
        CHECK(client.state() == gsc::EnetState::kClosed);
        CHECK_EQ(client.next_deadline_us(), UINT64_MAX);
    }
}

TEST(enet_client_peer_timeout_is_configurable) {
    gsc::EnetClientConfig config = test_config();
    config.peer_timeout_us = 1200 * kMs;
    EnetClient client;
    REQUIRE_EQ(client.init(config), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 11);
    REQUIRE(connect(pair));
    pair.run_until(700 * kMs);
    const uint64_t last_heard = pair.now_us;  // the host's last acknowledgement is at most this old
    pair.host.vanished = true;
    pair.run_until(5000 * kMs);
    const auto closed = of_kind(pair.enet_events, EnetEvent::Kind::kDisconnected);
    REQUIRE_EQ(closed.size(), 1u);
    CHECK(closed[0].reason == EnetDisconnectReason::kTimeout);
    CHECK(closed[0].time_us <= last_heard + 1200 * kMs);
    CHECK(closed[0].time_us >= last_heard + 600 * kMs);
}

TEST(enet_client_host_that_talks_but_never_acknowledges_times_out) {
    gsc::EnetClientConfig config = test_config();
    config.peer_timeout_us = 1000 * kMs;
    EnetClient client;
    REQUIRE_EQ(client.init(config), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 12);
    REQUIRE(connect(pair));
    pair.host.acknowledge = false;
    const Bytes m = enet_test::pattern(8, 0);
    REQUIRE_EQ(client.send(0, EnetDelivery::kReliable, m.data(), m.size(), pair.now_us), GSC_OK);
    const uint64_t sent_at = pair.now_us;
    pair.flush();
    for (int i = 0; i < 30; ++i) {
        pair.host.send_ping();  // keeps the link busy
        pair.host_flush();
        pair.run_until(pair.now_us + 100 * kMs);
    }
    const auto closed = of_kind(pair.enet_events, EnetEvent::Kind::kDisconnected);
    REQUIRE_EQ(closed.size(), 1u);
    CHECK(closed[0].reason == EnetDisconnectReason::kTimeout);
    CHECK_EQ(closed[0].time_us, sent_at + 1000 * kMs);
    CHECK(client.stats().retransmissions >= 3);
}

TEST(enet_client_graceful_disconnect_waits_for_data_then_for_the_acknowledgement) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    LinkConfig link;
    link.latency_us = 5 * kMs;
    Pair<EnetClient> pair(client, link, 13);
    REQUIRE(connect(pair));
    const Bytes m = enet_test::pattern(30, 0);
    REQUIRE_EQ(client.send(0, EnetDelivery::kReliable, m.data(), m.size(), pair.now_us), GSC_OK);
    client.disconnect(pair.now_us);
    pair.flush();
    CHECK(client.state() == gsc::EnetState::kDisconnecting);
    // The data went out first, alone: DISCONNECT waits for its acknowledgement.
    CHECK(has_command(pair.client_sent.back(), gsc::EnetCommandType::kSendReliable));
    CHECK(!has_command(pair.client_sent.back(), gsc::EnetCommandType::kDisconnect));
    CHECK_EQ(client.send(0, EnetDelivery::kReliable, m.data(), m.size(), pair.now_us), GSC_ERR_BAD_STATE);
    pair.run_until(pair.now_us + 100 * kMs);
    CHECK(pair.host.client_disconnected);
    REQUIRE_EQ(pair.host.received.size(), 1u);
    const auto closed = of_kind(pair.enet_events, EnetEvent::Kind::kDisconnected);
    REQUIRE_EQ(closed.size(), 1u);
    CHECK(closed[0].reason == EnetDisconnectReason::kLocal);
    CHECK(closed[0].time_us < 100 * kMs);
}

TEST(enet_client_graceful_disconnect_gives_up_after_the_linger_time) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 14);
    REQUIRE(connect(pair));
    pair.host.vanished = true;
    const uint64_t start = pair.now_us;
    client.disconnect(start);
    pair.flush();
    pair.run_until(start + 5000 * kMs);
    const auto closed = of_kind(pair.enet_events, EnetEvent::Kind::kDisconnected);
    REQUIRE_EQ(closed.size(), 1u);
    CHECK(closed[0].reason == EnetDisconnectReason::kLocal);
    CHECK(closed[0].time_us <= start + 2000 * kMs);
}

TEST(enet_client_host_disconnect_is_acknowledged_and_reported_with_its_data) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 15);
    REQUIRE(connect(pair));
    pair.host.send_reliable(0, enet_test::pattern(6, 6));
    pair.host.send_disconnect(77);
    pair.host_flush();
    pair.run_until(pair.now_us + 50 * kMs);
    REQUIRE_EQ(pair.enet_events.size(), 3u);
    CHECK(pair.enet_events[1].kind == EnetEvent::Kind::kReceived);
    CHECK(pair.enet_events[2].kind == EnetEvent::Kind::kDisconnected);
    CHECK(pair.enet_events[2].reason == EnetDisconnectReason::kRemote);
    CHECK_EQ(pair.enet_events[2].disconnect_data, 77u);
    CHECK_EQ(pair.host.unacked_count(), 0u);  // the DISCONNECT was acknowledged
    // A repeated DISCONNECT (our acknowledgement lost) is acknowledged again, nothing else.
    const size_t sent_before = pair.client_sent.size();
    pair.host.send_disconnect(77);
    pair.host_flush();
    pair.run_until(pair.now_us + 50 * kMs);
    CHECK_EQ(pair.client_sent.size(), sent_before + 1);
    CHECK_EQ(pair.enet_events.size(), 3u);
}

TEST(enet_client_disconnect_now_sends_one_unacknowledged_disconnect) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 16);
    REQUIRE(connect(pair));
    client.disconnect_now(pair.now_us);
    pair.flush();
    CHECK(client.state() == gsc::EnetState::kClosed);
    gsc::EnetDatagramHeader header{};
    std::vector<gsc::EnetCommand> commands;
    REQUIRE(enet_test::parse_all(pair.client_sent.back(), header, commands));
    REQUIRE_EQ(commands.size(), 1u);
    CHECK(commands[0].type == gsc::EnetCommandType::kDisconnect);
    CHECK_EQ(commands[0].flags, gsc::kEnetFlagUnsequenced);
    const auto closed = of_kind(pair.enet_events, EnetEvent::Kind::kDisconnected);
    REQUIRE_EQ(closed.size(), 1u);
    CHECK(closed[0].reason == EnetDisconnectReason::kLocal);
    pair.run_until(pair.now_us + 50 * kMs);
    CHECK(pair.host.client_disconnected);
    CHECK_EQ(client.next_deadline_us(), UINT64_MAX);
}

TEST(enet_client_datagrams_for_another_peer_or_session_are_dropped_and_counted) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 17);
    REQUIRE(connect(pair));
    // A reliable packet stamped for peer 1, then one with session 0 instead of 1.
    const Bytes other_peer = gsc_test::hex("9001 0000 86000001 0002 aabb");
    const Bytes other_session = gsc_test::hex("8000 0000 86000001 0002 aabb");
    client.receive(other_peer.data(), other_peer.size(), pair.now_us);
    client.receive(other_session.data(), other_session.size(), pair.now_us);
    pair.flush();
    CHECK_EQ(client.stats().foreign, 2u);
    CHECK(of_kind(pair.enet_events, EnetEvent::Kind::kReceived).empty());
}

TEST(enet_client_datagram_over_the_largest_mtu_is_dropped_whole) {
    gsc::EnetClientConfig config = test_config();
    config.mtu = gsc::kEnetMaxMtu;
    EnetClient client;
    REQUIRE_EQ(client.init(config), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 24);
    pair.host.verify_mtu = gsc::kEnetMaxMtu;
    REQUIRE(connect(pair));
    // A reliable packet filling a datagram of exactly kEnetMaxMtu bytes, then limit + 1.
    for (size_t total : {size_t{gsc::kEnetMaxMtu}, size_t{gsc::kEnetMaxMtu + 1}}) {
        Bytes d = pair.host.header_bytes(true);
        const size_t data = total - d.size() - 6;
        const Bytes command = gsc_test::hex("86000000 0000");
        d.insert(d.end(), command.begin(), command.end());
        d[d.size() - 3] = static_cast<uint8_t>(total == gsc::kEnetMaxMtu ? 1 : 2);  // reliable seq
        d[d.size() - 2] = static_cast<uint8_t>(data >> 8);
        d[d.size() - 1] = static_cast<uint8_t>(data);
        d.resize(total, 0x77);
        client.receive(d.data(), d.size(), pair.now_us);
        pair.flush();
    }
    const auto received = of_kind(pair.enet_events, EnetEvent::Kind::kReceived);
    REQUIRE_EQ(received.size(), 1u);
    CHECK_EQ(received[0].data.size(), gsc::kEnetMaxMtu - 10);
    CHECK_EQ(client.stats().malformed, 1u);
}

TEST(enet_client_full_reorder_slots_refuse_without_acknowledging_then_recover) {
    gsc::EnetClientConfig config = test_config();
    config.reorder_slots = 2;
    EnetClient client;
    REQUIRE_EQ(client.init(config), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 18);
    REQUIRE(connect(pair));
    int first = 0;
    pair.to_client.drop = [&](const Bytes &d) {
        return has_command(d, gsc::EnetCommandType::kSendReliable) && first++ == 0;
    };
    for (int i = 0; i < 6; ++i) pair.host.send_reliable(0, enet_test::pattern(4, static_cast<uint8_t>(i)));
    pair.host_flush();
    pair.run_until(pair.now_us + 20 * kMs);
    CHECK_EQ(client.stats().receive.refused, 3u);  // 2 held, 3 refused behind the gap
    CHECK_EQ(pair.host.unacked_count(), 4u);        // the lost one and the 3 refused
    pair.host.resend_unacked();
    pair.host_flush();
    pair.run_until(pair.now_us + 20 * kMs);
    const auto received = of_kind(pair.enet_events, EnetEvent::Kind::kReceived);
    REQUIRE_EQ(received.size(), 6u);
    for (int i = 0; i < 6; ++i) CHECK(received[static_cast<size_t>(i)].data == enet_test::pattern(4, static_cast<uint8_t>(i)));
}

TEST(enet_client_rejects_sends_past_its_limits) {
    gsc::EnetClientConfig config = test_config();
    config.max_packet_bytes = 1500;
    config.send_slots = 4;
    EnetClient client;
    REQUIRE_EQ(client.init(config), GSC_OK);
    const Bytes m = enet_test::pattern(1501, 0);
    CHECK_EQ(client.send(0, EnetDelivery::kReliable, m.data(), 10, 0), GSC_ERR_BAD_STATE);
    Pair<EnetClient> pair(client, LinkConfig{}, 19);
    REQUIRE(connect(pair));
    CHECK_EQ(client.send(0, EnetDelivery::kReliable, m.data(), 1501, pair.now_us), GSC_ERR_BAD_LENGTH);
    CHECK_EQ(client.send(0, EnetDelivery::kUnreliable, m.data(), 900 - 12 + 1, pair.now_us), GSC_ERR_BAD_LENGTH);
    CHECK_EQ(client.send(0, EnetDelivery::kUnreliable, m.data(), 900 - 12, pair.now_us), GSC_OK);
    CHECK_EQ(client.send(48, EnetDelivery::kReliable, m.data(), 1, pair.now_us), GSC_ERR_BAD_ARGUMENT);
    // 1500 bytes need 2 fragments of 872; 3 slots are left.
    CHECK_EQ(client.send(0, EnetDelivery::kReliable, m.data(), 1500, pair.now_us), GSC_OK);
    CHECK_EQ(client.send(0, EnetDelivery::kReliable, m.data(), 1500, pair.now_us), GSC_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(client.send(0, EnetDelivery::kReliable, m.data(), 10, pair.now_us), GSC_OK);
    CHECK_EQ(client.send(0, EnetDelivery::kReliable, m.data(), 10, pair.now_us), GSC_ERR_BUFFER_TOO_SMALL);
    pair.flush();
    pair.run_until(pair.now_us + 20 * kMs);
    REQUIRE_EQ(pair.host.received.size(), 3u);
    CHECK_EQ(pair.host.received[1].data.size(), 1500u);
    CHECK_EQ(client.send(0, EnetDelivery::kReliable, m.data(), 10, pair.now_us), GSC_OK);
}

TEST(enet_client_reliable_from_host_on_a_channel_past_the_count_is_malformed) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 20);
    REQUIRE(connect(pair));
    pair.host.send_reliable(48, enet_test::pattern(4, 0));  // channels 0..47
    pair.host_flush();
    pair.run_until(pair.now_us + 10 * kMs);
    CHECK_EQ(client.stats().malformed, 1u);
    CHECK(of_kind(pair.enet_events, EnetEvent::Kind::kReceived).empty());
}

TEST(enet_client_handle_timeout_early_or_twice_does_nothing) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    Pair<EnetClient> pair(client, LinkConfig{}, 21);
    REQUIRE(connect(pair));
    const uint64_t deadline = client.next_deadline_us();
    REQUIRE(deadline > pair.now_us && deadline != UINT64_MAX);
    const size_t sent = pair.client_sent.size();
    client.handle_timeout(deadline - 1);
    client.handle_timeout(deadline - 1);
    pair.flush();
    CHECK_EQ(pair.client_sent.size(), sent);
    CHECK_EQ(client.next_deadline_us(), deadline);
    client.handle_timeout(deadline);
    pair.flush();
    const size_t after_first = pair.client_sent.size();
    CHECK_EQ(after_first, sent + 1);  // the keepalive PING
    client.handle_timeout(deadline);
    pair.flush();
    CHECK_EQ(pair.client_sent.size(), after_first);
}

// Seeded loss, duplication and reordering both ways; every reliable packet arrives once and
// in order on each side.
std::vector<Bytes> soak(uint64_t seed, std::vector<Bytes> *client_received, std::vector<Bytes> *host_received) {
    EnetClient client;
    if (client.init(test_config()) != GSC_OK) return {};
    LinkConfig link;
    link.latency_us = 3 * kMs;
    link.loss = 0.2;
    link.duplicate = 0.1;
    link.jitter_us = 8 * kMs;
    Pair<EnetClient> pair(client, link, seed);
    if (client.connect(kConnectData, 0) != GSC_OK) return {};
    pair.flush();
    for (int round = 0; round < 400 && client.state() != gsc::EnetState::kConnected; ++round) {
        pair.run_until(pair.now_us + 10 * kMs);
    }
    int to_send = 150;
    for (int round = 0; round < 3000 && client.state() == gsc::EnetState::kConnected; ++round) {
        if (round < 150) pair.host.send_reliable(0, enet_test::pattern(20, static_cast<uint8_t>(round)));
        if (to_send > 0) {
            const Bytes m = enet_test::pattern(12, static_cast<uint8_t>(150 - to_send));
            if (client.send(0, EnetDelivery::kReliable, m.data(), m.size(), pair.now_us) == GSC_OK) --to_send;
        }
        if (round % 10 == 9) pair.host.resend_unacked();
        pair.flush();
        pair.run_until(pair.now_us + 5 * kMs);
        if (round > 150 && to_send == 0 && pair.host.unacked_count() == 0 && pair.host.received.size() == 150) break;
    }
    for (const auto &e : pair.enet_events) {
        if (e.kind == EnetEvent::Kind::kReceived) client_received->push_back(e.data);
    }
    for (const auto &r : pair.host.received) host_received->push_back(r.data);
    return pair.client_sent;
}

TEST(enet_client_lossy_link_delivers_everything_once_in_order_both_ways) {
    const uint64_t seed = enet_test::test_seed(22);
    std::vector<Bytes> at_client, at_host;
    soak(seed, &at_client, &at_host);
    REQUIRE_EQ(at_client.size(), 150u);
    REQUIRE_EQ(at_host.size(), 150u);
    for (size_t i = 0; i < 150; ++i) {
        CHECK(at_client[i] == enet_test::pattern(20, static_cast<uint8_t>(i)));
        CHECK(at_host[i] == enet_test::pattern(12, static_cast<uint8_t>(i)));
    }
    if (gsc_test::current_failures() != 0) std::fprintf(stderr, "  seed %llu\n", static_cast<unsigned long long>(seed));
}

TEST(enet_client_same_inputs_give_byte_identical_outputs) {
    std::vector<Bytes> a_client, a_host, b_client, b_host;
    const auto first = soak(99, &a_client, &a_host);
    const auto second = soak(99, &b_client, &b_host);
    CHECK(!first.empty());
    CHECK(first == second);
    CHECK(a_client == b_client);
}

TEST(enet_client_round_trip_estimate_follows_the_link) {
    EnetClient client;
    REQUIRE_EQ(client.init(test_config()), GSC_OK);
    LinkConfig link;
    link.latency_us = 15 * kMs;
    Pair<EnetClient> pair(client, link, 23);
    REQUIRE_EQ(client.connect(kConnectData, 0), GSC_OK);
    pair.flush();
    pair.run_until(100 * kMs);
    for (int i = 0; i < 20; ++i) {
        const Bytes m = enet_test::pattern(8, 0);
        REQUIRE_EQ(client.send(0, EnetDelivery::kReliable, m.data(), m.size(), pair.now_us), GSC_OK);
        pair.flush();
        pair.run_until(pair.now_us + 100 * kMs);
    }
    const gsc::EnetStats stats = client.stats();
    CHECK(stats.rtt_us >= 29 * kMs && stats.rtt_us <= 32 * kMs);
    CHECK_EQ(stats.retransmissions, 0u);
}

}  // namespace
