// fuzz-sources: enet_wire.cpp enet_send_queue.cpp enet_receive_queue.cpp enet_client.cpp control_envelope.cpp control_messages.cpp control_stream.cpp
//
// libFuzzer target over the control stream's inputs (style guide F.8): host datagrams, host
// messages inside valid envelopes, timers and commands. The only outcomes are "accepted" or
// "dropped and counted"; the session ends at most once, with the last event.
//
// AES-GCM is replaced here by a transparent stand-in (ciphertext = plaintext, a valid tag is
// 16 zero bytes), so the fuzzer reaches the message decoders behind the tag check; the real
// cipher has its own known-answer tests. The fuzz build links no BearSSL, and nothing else
// in this target needs it.
//
// Input: byte 0 picks the config. Then records, each an opcode byte whose high 6 bits advance
// the clock in milliseconds and whose low 2 bits say:
//   0  raw datagram: u16 length (LE), then that many bytes
//   1  host message: type u16 (LE), u8 length, payload; sealed and sent reliable in order
//   2  raw ENet packet (an envelope or not): u8 length, bytes; sent reliable in order
//   3  u8 sub-op: timeout at the deadline, request_idr, request_rfi, report_fec_status,
//      send_message, stop
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "fuzz_input.hpp"
#include "control_envelope.hpp"
#include "control_messages.hpp"
#include "control_stream.hpp"
#include "enet_wire.hpp"
#include "gsc_crypto_gcm.h"

extern "C" gsc_status gsc_aes128_gcm_encrypt(const uint8_t *key, const uint8_t *nonce, uint32_t nonce_size_bytes,
                                             const uint8_t *aad, uint32_t aad_size_bytes, const uint8_t *input,
                                             uint32_t size_bytes, uint8_t *output, uint8_t *tag) {
    (void)key, (void)nonce, (void)nonce_size_bytes, (void)aad, (void)aad_size_bytes;
    if (size_bytes != 0 && output != input) std::memmove(output, input, size_bytes);
    std::memset(tag, 0, GSC_AES_GCM_TAG_SIZE);
    return GSC_OK;
}

extern "C" gsc_status gsc_aes128_gcm_decrypt(const uint8_t *key, const uint8_t *nonce, uint32_t nonce_size_bytes,
                                             const uint8_t *aad, uint32_t aad_size_bytes, const uint8_t *input,
                                             uint32_t size_bytes, const uint8_t *tag, uint8_t *output) {
    (void)key, (void)nonce, (void)nonce_size_bytes, (void)aad, (void)aad_size_bytes;
    for (int i = 0; i < GSC_AES_GCM_TAG_SIZE; ++i) {
        if (tag[i] != 0) {
            if (size_bytes != 0) std::memset(output, 0, size_bytes);
            return GSC_ERR_CRYPTO_GCM_AUTH_FAILED;
        }
    }
    if (size_bytes != 0 && output != input) std::memmove(output, input, size_bytes);
    return GSC_OK;
}

namespace {

using gsc_fuzz::check;
using gsc_fuzz::Input;

constexpr uint32_t kConnectId = 0x0a0b0c0d;

struct Harness {
    gsc::ControlStream stream;
    gsc::ControlStreamConfig config;
    uint64_t now_us = 5000000;
    uint16_t host_seq = 0;
    uint32_t host_envelope_seq = 0;
    bool ended = false;
    uint8_t buffer[gsc::kEnetMaxMtu];

    void drain() {
        for (size_t n; (n = stream.poll_transmit(buffer, sizeof buffer)) != 0;) check(n <= config.enet.mtu);
        gsc::ControlEvent event{};
        while (stream.poll_event(event)) {
            check(!ended);  // kTerminated is the last event
            if (event.kind == gsc::ControlEvent::Kind::kTerminated) ended = true;
        }
        check(ended == (stream.state() == gsc::ControlState::kEnded));
    }

    // Sends `packet` as the host's next reliable command on channel 0.
    void deliver(const uint8_t *packet, size_t size) {
        uint8_t d[gsc::kEnetMaxMtu];
        gsc::EnetDatagramWriter w(d, sizeof d);
        check(w.header(0, 0, true, static_cast<uint16_t>(now_us / 1000)));
        gsc::EnetCommand c{};
        c.type = gsc::EnetCommandType::kSendReliable;
        c.flags = gsc::kEnetFlagAcknowledge;
        c.channel = 0;
        c.reliable_seq = ++host_seq;
        c.data = packet;
        c.data_size = static_cast<uint16_t>(size);
        const size_t n = gsc::enet_encode_command(c, d + w.size(), sizeof d - w.size());
        if (n == 0) return;
        stream.handle_datagram(d, w.size() + n, now_us);
    }

    void verify() {
        gsc::EnetCommand v{};
        v.type = gsc::EnetCommandType::kVerifyConnect;
        v.flags = gsc::kEnetFlagAcknowledge;
        v.channel = gsc::kEnetControlChannel;
        v.reliable_seq = 1;
        v.mtu = config.enet.mtu;
        v.window_size = 65536;
        v.channel_count = 48;
        v.throttle_interval = 5000;
        v.throttle_acceleration = 2;
        v.throttle_deceleration = 2;
        v.connect_id = kConnectId;
        uint8_t d[64];
        gsc::EnetDatagramWriter w(d, sizeof d);
        check(w.header(0, 0, true, 0));
        const size_t n = gsc::enet_encode_command(v, d + w.size(), sizeof d - w.size());
        stream.handle_datagram(d, w.size() + n, now_us);
    }

    void command(uint8_t sub, Input &in) {
        switch (sub % 6) {
            case 0: {
                const uint64_t deadline = stream.next_deadline_us();
                if (deadline != UINT64_MAX && deadline > now_us) now_us = deadline;
                stream.handle_timeout(now_us);
                return;
            }
            case 1:
                (void)stream.request_idr(now_us);
                return;
            case 2: {
                uint16_t a = 0, b = 0;
                if (in.u16(a) && in.u16(b)) (void)stream.request_rfi(a, b, now_us);
                return;
            }
            case 3: {
                gsc::ControlFecStatus status{};
                status.frame_index = sub;
                (void)stream.report_fec_status(status, now_us);
                return;
            }
            case 4: {
                uint8_t channel = 0, length = 0;
                if (!in.u8(channel) || !in.u8(length)) return;
                size_t n = length;
                const uint8_t *p = in.take(n);
                (void)stream.send_message(gsc::kControlTypeInputData, p, n, channel, gsc::EnetDelivery::kReliable, now_us);
                return;
            }
            default:
                stream.stop(now_us);
                return;
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in{data, size};
    uint8_t selector = 0;
    if (!in.u8(selector)) return 0;
    // The envelope opener and message decoder on their own, over the whole input.
    {
        uint8_t scratch[gsc::kControlMessageHeaderBytes + gsc::kControlMaxPayloadBytes];
        gsc::ControlMessage m{};
        const uint8_t zero_key[gsc::kControlKeyBytes] = {};
        if (gsc::control_open(zero_key, gsc::ControlDirection::kHostToClient, data, size, scratch, sizeof scratch, m) ==
            gsc::ControlOpenResult::kOk) {
            check(m.payload_bytes <= gsc::kControlMaxPayloadBytes);
        }
        gsc::ControlEvent event{};
        if (size >= 2) {
            (void)gsc::control_decode_host_message(static_cast<uint16_t>(data[0] | (data[1] << 8)), data + 2, size - 2,
                                                   event);
        }
    }
    Harness *h = new Harness();
    h->config.enet.connect_id = kConnectId;
    h->config.enet.reorder_slots = (selector & 0x02) != 0 ? 2 : 32;
    h->config.client_feature_flags = (selector & 0x04) != 0 ? 0 : 3;
    check(h->stream.init(h->config) == GSC_OK);
    check(h->stream.start(h->now_us) == GSC_OK);
    h->drain();
    if ((selector & 0x01) == 0) {
        h->verify();
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
                h->stream.handle_datagram(p, n, h->now_us);
                break;
            }
            case 1: {
                uint16_t type = 0;
                uint8_t length = 0;
                if (!in.u16(type) || !in.u8(length)) break;
                size_t n = length;
                const uint8_t *p = in.take(n);
                uint8_t sealed[gsc::kControlMaxEnvelopeBytes];
                const size_t sealed_size = gsc::control_seal(h->config.key, h->host_envelope_seq++,
                                                             gsc::ControlDirection::kHostToClient, type, p, n, sealed,
                                                             sizeof sealed);
                check(sealed_size != 0);
                h->deliver(sealed, sealed_size);
                break;
            }
            case 2: {
                uint8_t length = 0;
                if (!in.u8(length)) break;
                size_t n = length;
                const uint8_t *p = in.take(n);
                h->deliver(p, n);
                break;
            }
            default: {
                uint8_t sub = 0;
                if (in.u8(sub)) h->command(sub, in);
                break;
            }
        }
        h->drain();
    }
    delete h;
    return 0;
}
