// Shared pieces of the ENet and control-stream tests: a seeded PRNG, the recorded sessions'
// ENet traffic and decrypted control messages (shared/captures), a minimal scripted ENet host
// that answers as Sunshine's ENet does (VERIFY_CONNECT, acknowledgements, in-order delivery),
// and a pair harness that wires a client to it through an in-memory link with virtual time,
// latency, and seeded or scripted loss, duplication and reordering (style guide F.5).
// Test code only: it allocates freely.
#ifndef GSC_TEST_ENET_TEST_SUPPORT_HPP
#define GSC_TEST_ENET_TEST_SUPPORT_HPP

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "capture_reader.hpp"
#include "control_stream.hpp"
#include "enet_client.hpp"
#include "enet_wire.hpp"

namespace enet_test {

using Bytes = std::vector<uint8_t>;

// ---------------------------------------------------------------------------------------
// Seeded randomness (style guide F.6): GSC_TEST_SEED replaces the fallback seed.

struct Prng {
    uint64_t state;
    explicit Prng(uint64_t seed) : state(seed) {}
    uint64_t next() {  // splitmix64
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    uint32_t below(uint32_t n) { return n == 0 ? 0 : static_cast<uint32_t>(next() % n); }
    bool chance(double p) { return static_cast<double>(next() >> 11) / 9007199254740992.0 < p; }
};

inline uint64_t test_seed(uint64_t fallback) {
    const char *text = std::getenv("GSC_TEST_SEED");
    return text == nullptr ? fallback : std::strtoull(text, nullptr, 0);
}

// ---------------------------------------------------------------------------------------
// Recorded sessions.

constexpr uint16_t kHostControlPort = 47999;

struct SessionCase {
    const char *folder;
};

inline const SessionCase kSessions[] = {
    {"sunshine-0.23.1/dev-h264-720p60"},
    {"sunshine-0.23.1/dev-h265-720p60"},
    {"sunshine-2026.817/dev-h264-720p60"},
    {"sunshine-2026.817/dev-h265-720p60-encvideo"},
};

struct EnetDatagram {
    uint64_t time_us;
    bool from_host;
    Bytes bytes;
};

// One line of control-messages.jsonl.
struct RecordedMessage {
    double ms;
    bool from_host;
    uint32_t channel;
    uint32_t reliable_seq;
    uint32_t envelope_seq;
    uint16_t type;
    Bytes payload;
};

struct RecordedSession {
    std::vector<EnetDatagram> datagrams;  // udp/47999 both ways, capture order
    std::vector<RecordedMessage> messages;
    uint8_t key[16];
    uint32_t connect_data;
};

using gsc_test::json_field;

inline Bytes parse_hex(const std::string &hex) {
    Bytes out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// False when the captures are not there.
inline bool load_session(const SessionCase &session, RecordedSession &out) {
    const std::string dir = gsc_test::captures_dir();
    if (dir.empty()) return false;
    const std::string base = dir + "/" + session.folder + "/";
    std::vector<gsc_test::UdpDatagram> udp;
    if (!gsc_test::read_udp_datagrams(base + "capture.pcap", udp)) return false;
    for (auto &d : udp) {
        if (d.src_port != kHostControlPort && d.dst_port != kHostControlPort) continue;
        out.datagrams.push_back({d.time_us, d.src_port == kHostControlPort, std::move(d.payload)});
    }
    std::vector<uint8_t> file;
    if (!gsc_test::read_file(base + "keys.json", file)) return false;
    const Bytes key = parse_hex(json_field(std::string(file.begin(), file.end()), "rikey_hex"));
    if (key.size() != 16) return false;
    std::memcpy(out.key, key.data(), 16);
    file.clear();
    if (!gsc_test::read_file(base + "session.json", file)) return false;
    out.connect_data = static_cast<uint32_t>(std::stoul(json_field(std::string(file.begin(), file.end()), "control_connect_data")));
    file.clear();
    if (!gsc_test::read_file(base + "control-messages.jsonl", file)) return false;
    const std::string lines(file.begin(), file.end());
    for (size_t at = 0; at < lines.size();) {
        size_t end = lines.find('\n', at);
        if (end == std::string::npos) end = lines.size();
        const std::string line = lines.substr(at, end - at);
        at = end + 1;
        if (line.empty()) continue;
        RecordedMessage m{};
        m.ms = std::stod(json_field(line, "ms"));
        m.from_host = json_field(line, "dir") == "host->client";
        m.channel = static_cast<uint32_t>(std::stoul(json_field(line, "enet_channel")));
        m.reliable_seq = static_cast<uint32_t>(std::stoul(json_field(line, "enet_reliable_seq")));
        m.envelope_seq = static_cast<uint32_t>(std::stoul(json_field(line, "envelope_seq")));
        m.type = static_cast<uint16_t>(std::stoul(json_field(line, "type"), nullptr, 16));
        m.payload = parse_hex(json_field(line, "payload_hex"));
        out.messages.push_back(std::move(m));
    }
    return !out.datagrams.empty() && !out.messages.empty();
}

// Every command of a datagram; false when the parser finds it malformed.
inline bool parse_all(const Bytes &datagram, gsc::EnetDatagramHeader &header, std::vector<gsc::EnetCommand> &commands) {
    gsc::EnetDatagramParser parser(datagram.data(), datagram.size());
    if (!parser.header(header)) return false;
    gsc::EnetCommand command{};
    for (;;) {
        const auto result = parser.next(command);
        if (result == gsc::EnetDatagramParser::Result::kEnd) return true;
        if (result == gsc::EnetDatagramParser::Result::kMalformed) return false;
        commands.push_back(command);
    }
}

// ---------------------------------------------------------------------------------------
// A scripted ENet host: one peer, answers CONNECT, acknowledges and orders what the client
// sends reliably, and sends what the test tells it to.

struct HostReceived {
    uint8_t channel;
    Bytes data;
    bool reliable;
};

class TestHost {
public:
    // What VERIFY_CONNECT says.
    uint16_t peer_id_for_client = 5;  // the host's index for the client
    uint8_t session_to_client = 1;    // stamped on what the host sends
    uint8_t session_from_client = 2;  // what the client must stamp
    uint32_t verify_mtu = 900;
    uint32_t verify_channels = 48;
    bool answer_connect = true;
    bool acknowledge = true;  // false: a host that stopped acknowledging (but may still talk)
    bool vanished = false;    // true: the host neither answers nor sends

    uint64_t now_us = 0;
    bool connected = false;
    gsc::EnetCommand connect{};
    uint32_t connects_seen = 0;
    bool client_disconnected = false;
    uint32_t client_disconnect_data = 0;
    std::vector<HostReceived> received;
    std::vector<Bytes> outbox;  // datagrams for the client
    uint32_t duplicates_seen = 0;
    uint32_t pings_seen = 0;
    uint32_t acks_seen = 0;

    void receive(const Bytes &datagram, uint64_t now) {
        now_us = now;
        if (vanished) return;
        gsc::EnetDatagramHeader header{};
        std::vector<gsc::EnetCommand> commands;
        if (!parse_all(datagram, header, commands)) {
            ++malformed_from_client;
            return;
        }
        seen.push_back(commands);
        seen_headers.push_back(header);
        std::vector<gsc::EnetCommand> acks;
        for (const auto &c : commands) handle(header, c, acks);
        if (!acks.empty() && acknowledge) {
            Bytes d = header_bytes(false);
            for (const auto &c : acks) append_ack(d, c.channel, c.reliable_seq, header.sent_time);
            outbox.push_back(d);
        }
    }

    // Sends one reliable packet in its own datagram (kept for resend_unacked()).
    uint16_t send_reliable(uint8_t channel, const Bytes &data) {
        gsc::EnetCommand c{};
        c.type = gsc::EnetCommandType::kSendReliable;
        c.flags = gsc::kEnetFlagAcknowledge;
        c.channel = channel;
        c.reliable_seq = ++out_seq[channel];
        c.data = data.data();
        c.data_size = static_cast<uint16_t>(data.size());
        push_command(c, true);
        return c.reliable_seq;
    }

    // Sends a reliable packet as fragments of `piece` bytes, one datagram each.
    void send_fragmented(uint8_t channel, const Bytes &data, size_t piece) {
        const size_t count = (data.size() + piece - 1) / piece;
        const uint16_t start = static_cast<uint16_t>(out_seq[channel] + 1);
        for (size_t i = 0; i < count; ++i) {
            gsc::EnetCommand c{};
            c.type = gsc::EnetCommandType::kSendFragment;
            c.flags = gsc::kEnetFlagAcknowledge;
            c.channel = channel;
            c.reliable_seq = ++out_seq[channel];
            c.start_seq = start;
            c.fragment_count = static_cast<uint32_t>(count);
            c.fragment_number = static_cast<uint32_t>(i);
            c.total_length = static_cast<uint32_t>(data.size());
            c.fragment_offset = static_cast<uint32_t>(i * piece);
            c.data = data.data() + i * piece;
            c.data_size = static_cast<uint16_t>(std::min(piece, data.size() - i * piece));
            push_command(c, true);
        }
    }

    void send_unsequenced(uint8_t channel, const Bytes &data, uint16_t group) {
        gsc::EnetCommand c{};
        c.type = gsc::EnetCommandType::kSendUnsequenced;
        c.flags = gsc::kEnetFlagUnsequenced;
        c.channel = channel;
        c.unreliable_seq = group;
        c.data = data.data();
        c.data_size = static_cast<uint16_t>(data.size());
        push_command(c, false);
    }

    void send_unreliable(uint8_t channel, const Bytes &data) {
        gsc::EnetCommand c{};
        c.type = gsc::EnetCommandType::kSendUnreliable;
        c.channel = channel;
        c.reliable_seq = out_seq[channel];
        c.unreliable_seq = ++out_unreliable[channel];
        c.data = data.data();
        c.data_size = static_cast<uint16_t>(data.size());
        push_command(c, false);
    }

    void send_ping() { send_control(gsc::EnetCommandType::kPing, gsc::kEnetFlagAcknowledge, 0); }
    void send_disconnect(uint32_t data) { send_control(gsc::EnetCommandType::kDisconnect, gsc::kEnetFlagAcknowledge, data); }

    // Sends every reliable command not acknowledged yet again (the host's retransmission).
    void resend_unacked() {
        for (const auto &u : unacked) {
            Bytes d = header_bytes(true);
            d.insert(d.end(), u.wire.begin(), u.wire.end());
            outbox.push_back(d);
        }
    }
    size_t unacked_count() const { return unacked.size(); }

    // The client's commands as seen on the wire, per datagram.
    std::vector<std::vector<gsc::EnetCommand>> seen;
    std::vector<gsc::EnetDatagramHeader> seen_headers;
    uint32_t malformed_from_client = 0;

    Bytes header_bytes(bool sent_time) const {
        Bytes d(4);
        gsc::EnetDatagramWriter w(d.data(), d.size());
        (void)w.header(connect.outgoing_peer_id, session_to_client, sent_time, static_cast<uint16_t>(now_us / 1000));
        d.resize(w.size());
        return d;
    }

private:
    struct Unacked {
        uint8_t channel;
        uint16_t seq;
        Bytes wire;
    };

    void handle(const gsc::EnetDatagramHeader &header, const gsc::EnetCommand &c, std::vector<gsc::EnetCommand> &acks) {
        if (c.type == gsc::EnetCommandType::kAcknowledge) {
            ++acks_seen;
            unacked.erase(std::remove_if(unacked.begin(), unacked.end(),
                                         [&](const Unacked &u) {
                                             return u.channel == c.channel && u.seq == c.received_reliable_seq;
                                         }),
                          unacked.end());
            return;
        }
        if (c.type == gsc::EnetCommandType::kConnect) {
            ++connects_seen;
            connect = c;
            if (answer_connect) verify();
            return;
        }
        if (connected && header.session_id != session_from_client) {
            ++wrong_session;
            return;
        }
        if ((c.flags & gsc::kEnetFlagAcknowledge) != 0) acks.push_back(c);
        switch (c.type) {
            case gsc::EnetCommandType::kPing:
                ++pings_seen;
                return;
            case gsc::EnetCommandType::kDisconnect:
                client_disconnected = true;
                client_disconnect_data = c.user_data;
                return;
            case gsc::EnetCommandType::kSendReliable:
            case gsc::EnetCommandType::kSendFragment:
                order(c);
                return;
            case gsc::EnetCommandType::kSendUnreliable:
            case gsc::EnetCommandType::kSendUnsequenced:
                received.push_back({c.channel, Bytes(c.data, c.data + c.data_size), false});
                return;
            default:
                return;
        }
    }

    void verify() {
        connected = true;
        gsc::EnetCommand v{};
        v.type = gsc::EnetCommandType::kVerifyConnect;
        v.flags = gsc::kEnetFlagAcknowledge;
        v.channel = gsc::kEnetControlChannel;
        v.reliable_seq = ++control_seq;
        v.outgoing_peer_id = peer_id_for_client;
        v.incoming_session_id = session_to_client;
        v.outgoing_session_id = session_from_client;
        v.mtu = verify_mtu;
        v.window_size = 65536;
        v.channel_count = verify_channels;
        v.throttle_interval = connect.throttle_interval;
        v.throttle_acceleration = connect.throttle_acceleration;
        v.throttle_deceleration = connect.throttle_deceleration;
        v.connect_id = connect.connect_id;
        push_command(v, true);
    }

    // In-order delivery with reassembly, as the client side must do it too.
    void order(const gsc::EnetCommand &c) {
        const uint16_t expected = static_cast<uint16_t>(in_seq[c.channel] + 1);
        const uint16_t ahead = static_cast<uint16_t>(c.reliable_seq - expected);
        if (ahead >= 0x8000 || held[c.channel].count(c.reliable_seq) != 0) {
            ++duplicates_seen;
            return;
        }
        held[c.channel][c.reliable_seq] = Held{c, Bytes(c.data, c.data + c.data_size)};
        for (auto it = held[c.channel].find(static_cast<uint16_t>(in_seq[c.channel] + 1)); it != held[c.channel].end();
             it = held[c.channel].find(static_cast<uint16_t>(in_seq[c.channel] + 1))) {
            const Held h = it->second;
            held[c.channel].erase(it);
            in_seq[c.channel] = h.command.reliable_seq;
            if (h.command.type == gsc::EnetCommandType::kSendReliable) {
                received.push_back({c.channel, h.data, true});
                continue;
            }
            if (h.command.fragment_number == 0) assembly.assign(h.command.total_length, 0);
            std::copy(h.data.begin(), h.data.end(), assembly.begin() + h.command.fragment_offset);
            if (h.command.fragment_number + 1 == h.command.fragment_count) received.push_back({c.channel, assembly, true});
        }
    }

    void send_control(gsc::EnetCommandType type, uint8_t flags, uint32_t data) {
        gsc::EnetCommand c{};
        c.type = type;
        c.flags = flags;
        c.channel = gsc::kEnetControlChannel;
        c.reliable_seq = ++control_seq;
        c.user_data = data;
        push_command(c, true);
    }

    void push_command(const gsc::EnetCommand &c, bool reliable) {
        uint8_t wire[gsc::kEnetMaxMtu];
        const size_t size = gsc::enet_encode_command(c, wire, sizeof wire);
        Bytes d = header_bytes(reliable);
        d.insert(d.end(), wire, wire + size);
        if (reliable) unacked.push_back({c.channel, c.reliable_seq, Bytes(wire, wire + size)});
        if (!vanished) outbox.push_back(d);
    }

    void append_ack(Bytes &d, uint8_t channel, uint16_t seq, uint16_t sent_time) {
        uint8_t wire[8];
        gsc::EnetDatagramWriter w(wire, sizeof wire);
        (void)w.acknowledge(channel, seq, sent_time);
        d.insert(d.end(), wire, wire + w.size());
    }

    struct Held {
        gsc::EnetCommand command;
        Bytes data;
    };

    uint16_t control_seq = 0;
    uint16_t out_seq[256] = {};
    uint16_t out_unreliable[256] = {};
    uint16_t in_seq[256] = {};
    std::map<uint16_t, Held> held[256];
    Bytes assembly;
    std::vector<Unacked> unacked;

public:
    uint32_t wrong_session = 0;
};

// ---------------------------------------------------------------------------------------
// The pair: a client (EnetClient or ControlStream) and a TestHost on an in-memory link.

struct LinkConfig {
    uint64_t latency_us = 1000;
    double loss = 0.0;
    double duplicate = 0.0;
    uint64_t jitter_us = 0;  // extra delay drawn from [0, jitter): reorders datagrams
};

class Link {
public:
    Link(LinkConfig config, uint64_t seed) : config_(config), rng_(seed) {}
    // A scripted loss: return true to drop the datagram (called before the random loss).
    std::function<bool(const Bytes &)> drop;
    uint32_t dropped = 0;

    void send(const Bytes &datagram, uint64_t now_us) {
        if ((drop && drop(datagram)) || rng_.chance(config_.loss)) {
            ++dropped;
            return;
        }
        const int copies = rng_.chance(config_.duplicate) ? 2 : 1;
        for (int i = 0; i < copies; ++i) {
            const uint64_t jitter = config_.jitter_us == 0 ? 0 : rng_.next() % config_.jitter_us;
            queue_.push_back({now_us + config_.latency_us + jitter, order_++, datagram});
        }
    }
    uint64_t next_at() const {
        uint64_t next = UINT64_MAX;
        for (const auto &f : queue_) next = std::min(next, f.at_us);
        return next;
    }
    // The datagrams due by now, in arrival order.
    std::vector<Bytes> take_due(uint64_t now_us) {
        std::vector<InFlight> due;
        std::vector<InFlight> rest;
        for (auto &f : queue_) (f.at_us <= now_us ? due : rest).push_back(std::move(f));
        queue_ = std::move(rest);
        std::sort(due.begin(), due.end(), [](const InFlight &a, const InFlight &b) {
            return a.at_us != b.at_us ? a.at_us < b.at_us : a.order < b.order;
        });
        std::vector<Bytes> out;
        for (auto &f : due) out.push_back(std::move(f.bytes));
        return out;
    }

private:
    struct InFlight {
        uint64_t at_us;
        uint64_t order;
        Bytes bytes;
    };
    LinkConfig config_;
    Prng rng_;
    uint64_t order_ = 0;
    std::vector<InFlight> queue_;
};

// A copy of an EnetEvent that outlives the client's buffers.
struct EventCopy {
    gsc::EnetEvent::Kind kind;
    uint8_t channel;
    Bytes data;
    gsc::EnetDisconnectReason reason;
    uint32_t disconnect_data;
    uint64_t time_us;
};

inline void client_receive(gsc::EnetClient &c, const Bytes &d, uint64_t now) { c.receive(d.data(), d.size(), now); }
inline void client_receive(gsc::ControlStream &c, const Bytes &d, uint64_t now) {
    c.handle_datagram(d.data(), d.size(), now);
}

template <typename Client>
class Pair {
public:
    Pair(Client &client, LinkConfig link, uint64_t seed) : client(client), to_host(link, seed), to_client(link, seed ^ 0x5a5a) {}

    Client &client;
    TestHost host;
    Link to_host;
    Link to_client;
    uint64_t now_us = 0;
    std::vector<Bytes> client_sent;      // every datagram the client produced
    std::vector<EventCopy> enet_events;  // EnetClient only
    std::vector<gsc::ControlEvent> control_events;  // ControlStream only
    std::vector<uint64_t> control_event_times;

    // Drains the client's outputs (style guide C.2 order), then the host's.
    void flush() {
        uint8_t buffer[gsc::kEnetMaxMtu];
        for (size_t n; (n = client.poll_transmit(buffer, sizeof buffer)) != 0;) {
            client_sent.emplace_back(buffer, buffer + n);
            to_host.send(client_sent.back(), now_us);
        }
        drain_events(client);
        for (auto &d : host.outbox) to_client.send(d, now_us);
        host.outbox.clear();
    }

    // Runs the link and the client's timers until `end_us` (or `max_steps` steps).
    void run_until(uint64_t end_us, uint32_t max_steps = 100000) {
        for (uint32_t step = 0; step < max_steps; ++step) {
            const uint64_t next = std::min({client.next_deadline_us(), to_host.next_at(), to_client.next_at()});
            if (next > end_us) break;
            advance(std::max(next, now_us));
        }
        if (now_us < end_us) now_us = end_us;
        host.now_us = now_us;
    }

    void advance(uint64_t t) {
        now_us = t;
        host.now_us = t;
        for (const auto &d : to_host.take_due(t)) {
            host.receive(d, t);
            flush();
        }
        for (const auto &d : to_client.take_due(t)) {
            client_receive(client, d, t);
            flush();
        }
        if (client.next_deadline_us() <= t) {
            client.handle_timeout(t);
            flush();
        }
    }

    // Host-side actions followed by a flush (so their datagrams enter the link).
    void host_flush() { flush(); }

private:
    void drain_events(gsc::EnetClient &c) {
        gsc::EnetEvent e{};
        while (c.poll_event(e)) {
            EventCopy copy{e.kind, e.channel, {}, e.reason, e.disconnect_data, now_us};
            if (e.data != nullptr) copy.data.assign(e.data, e.data + e.size_bytes);
            enet_events.push_back(std::move(copy));
        }
    }
    void drain_events(gsc::ControlStream &c) {
        gsc::ControlEvent e{};
        while (c.poll_event(e)) {
            control_events.push_back(e);
            control_event_times.push_back(now_us);
        }
    }
};

inline Bytes pattern(size_t size, uint8_t salt) {
    Bytes b(size);
    for (size_t i = 0; i < size; ++i) b[i] = static_cast<uint8_t>(i * 7 + salt);
    return b;
}

}  // namespace enet_test

#endif
