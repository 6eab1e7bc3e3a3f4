// fuzz-sources: enet_wire.cpp enet_send_queue.cpp enet_receive_queue.cpp enet_client.cpp
//
// libFuzzer target over the ENet client's inputs (style guide F.8): whatever the host sends and
// whatever order the calls come in, the client accepts or drops and counts, never crashes,
// and its outputs stay well formed.
//
// Input: byte 0 picks the config and whether the harness first completes the handshake (so
// the fuzzer starts inside a connection). Then records, each an opcode byte whose high 6 bits
// advance the clock in milliseconds and whose low 2 bits say:
//   0  raw datagram: u16 length (LE), then that many bytes
//   1  commands: u8 length, then that many bytes after a valid header for this peer
//   2  client send: channel u8, delivery u8, size u16 (LE) of generated data
//   3  timer or close: u8 sub-op: handle_timeout at the deadline, at now, disconnect,
//      disconnect_now
// After every call the harness drains transmits and events and checks the invariants below.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "fuzz_input.hpp"
#include "enet_client.hpp"
#include "enet_wire.hpp"

namespace {

using gsc_fuzz::check;
using gsc_fuzz::Input;

constexpr uint32_t kConnectId = 0x01020304;

struct Harness {
    gsc::EnetClient client;
    gsc::EnetClientConfig config;
    uint64_t now_us = 1000000;
    bool closed_seen = false;
    uint8_t buffer[gsc::kEnetMaxMtu];
    uint8_t data[8192];

    // Every datagram the client produces must parse, fit the MTU and use known commands.
    void drain() {
        for (size_t n; (n = client.poll_transmit(buffer, sizeof buffer)) != 0;) {
            check(n <= config.mtu);
            gsc::EnetDatagramParser parser(buffer, n);
            gsc::EnetDatagramHeader header{};
            check(parser.header(header));
            gsc::EnetCommand command{};
            uint32_t commands = 0;
            for (;;) {
                const auto result = parser.next(command);
                check(result != gsc::EnetDatagramParser::Result::kMalformed);
                if (result == gsc::EnetDatagramParser::Result::kEnd) break;
                ++commands;
            }
            check(commands >= 1);
        }
        gsc::EnetEvent event{};
        while (client.poll_event(event)) {
            check(!closed_seen);  // nothing after the disconnect event
            if (event.kind == gsc::EnetEvent::Kind::kReceived) {
                check(event.size_bytes <= config.max_packet_bytes);
                check(event.channel < client.channel_count());
                if (event.size_bytes != 0) {
                    volatile uint8_t sink = event.data[0] ^ event.data[event.size_bytes - 1];
                    (void)sink;
                }
            }
            if (event.kind == gsc::EnetEvent::Kind::kDisconnected) closed_seen = true;
        }
    }

    void handshake() {
        if (client.connect(0xde40f465, now_us) != GSC_OK) return;
        drain();
        gsc::EnetCommand v{};
        v.type = gsc::EnetCommandType::kVerifyConnect;
        v.flags = gsc::kEnetFlagAcknowledge;
        v.channel = gsc::kEnetControlChannel;
        v.reliable_seq = 1;
        v.outgoing_peer_id = 0;
        v.mtu = config.mtu;
        v.window_size = 65536;
        v.channel_count = config.channel_count;
        v.throttle_interval = 5000;
        v.throttle_acceleration = 2;
        v.throttle_deceleration = 2;
        v.connect_id = kConnectId;
        uint8_t d[64];
        gsc::EnetDatagramWriter w(d, sizeof d);
        check(w.header(0, 0, true, 0));
        const size_t size = gsc::enet_encode_command(v, d + w.size(), sizeof d - w.size());
        client.receive(d, w.size() + size, now_us);
        drain();
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in{data, size};
    uint8_t selector = 0;
    if (!in.u8(selector)) return 0;
    // The parser on its own, over the whole input.
    {
        gsc::EnetDatagramParser parser(data, size);
        gsc::EnetDatagramHeader header{};
        gsc::EnetCommand command{};
        if (parser.header(header)) {
            while (parser.next(command) == gsc::EnetDatagramParser::Result::kCommand) {
            }
        }
    }
    Harness *h = new Harness();
    h->config.connect_id = kConnectId;
    if ((selector & 0x02) != 0) h->config.mtu = gsc::kEnetMinMtu;
    if ((selector & 0x04) != 0) h->config.reorder_slots = 2;
    if ((selector & 0x08) != 0) h->config.max_packet_bytes = 1000;
    if ((selector & 0x10) != 0) h->config.send_slots = gsc::kEnetMinSendSlots;
    if ((selector & 0x20) != 0) h->config.channel_count = 4;
    check(h->client.init(h->config) == GSC_OK);
    if ((selector & 0x01) != 0) {
        h->handshake();
    } else if (h->client.connect(7, h->now_us) == GSC_OK) {
        h->drain();
    }
    for (uint32_t i = 0; i < 256; ++i) {
        uint8_t op = 0;
        if (!in.u8(op)) break;
        h->now_us += static_cast<uint64_t>(op >> 2) * 1000;
        switch (op & 3) {
            case 0: {
                uint16_t length = 0;
                if (!in.u16(length)) break;
                size_t n = length;
                const uint8_t *p = in.take(n);
                h->client.receive(p, n, h->now_us);
                break;
            }
            case 1: {
                uint8_t length = 0;
                if (!in.u8(length)) break;
                size_t n = length;
                const uint8_t *p = in.take(n);
                uint8_t d[300];
                gsc::EnetDatagramWriter w(d, sizeof d);
                check(w.header(0, 0, true, static_cast<uint16_t>(h->now_us / 1000)));
                check(w.raw(p, n));
                h->client.receive(d, w.size(), h->now_us);
                break;
            }
            case 2: {
                uint8_t channel = 0, delivery = 0;
                uint16_t bytes = 0;
                if (!in.u8(channel) || !in.u8(delivery) || !in.u16(bytes)) break;
                const size_t n = bytes % sizeof h->data;
                for (size_t k = 0; k < n; ++k) h->data[k] = static_cast<uint8_t>(k + channel);
                (void)h->client.send(channel, static_cast<gsc::EnetDelivery>(delivery % 3), h->data, n, h->now_us);
                break;
            }
            default: {
                uint8_t sub = 0;
                if (!in.u8(sub)) break;
                if (sub % 4 == 0) {
                    const uint64_t deadline = h->client.next_deadline_us();
                    if (deadline != UINT64_MAX && deadline > h->now_us) h->now_us = deadline;
                    h->client.handle_timeout(h->now_us);
                } else if (sub % 4 == 1) {
                    h->client.handle_timeout(h->now_us);
                } else if (sub % 4 == 2) {
                    h->client.disconnect(h->now_us);
                } else {
                    h->client.disconnect_now(h->now_us);
                }
                break;
            }
        }
        h->drain();
        check(h->client.next_deadline_us() == UINT64_MAX || h->client.state() != gsc::EnetState::kClosed);
    }
    delete h;
    return 0;
}
