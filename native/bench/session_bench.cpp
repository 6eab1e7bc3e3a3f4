// Cost of the whole session per video frame, fed the host's video and audio datagrams of a
// recorded Sunshine session from memory, through the C ABI as the session worker calls it:
// rx_buf, write, rx_commit, drain (transmits, events), handle_timeout at each deadline. Covers
// video decryption (the encvideo session), FEC and access-unit assembly, audio FEC and
// decryption, pings and timers; with --decode also the Opus decoding of every audio packet.
//
//   session_bench <session folder> [--passes N] [--decode]
//
// Prints the frames and audio packets handed out and the best time per video frame over the
// passes. Under valgrind's callgrind (--instr-atstart=no) exactly the first pass is
// instrumented, without the copies that stand for the socket reads, so "Collected" / frames is
// the instruction count per frame.
//
// bench-sources: session.cpp session_output.cpp session_abi.cpp session_control.cpp udp_ping.cpp video_decrypt.cpp
// bench-sources: video_packet.cpp video_fec_queue.cpp video_depacketizer.cpp video_recovery.cpp video_receiver.cpp reed_solomon.cpp
// bench-sources: audio_receiver.cpp audio_packet.cpp audio_fec.cpp audio_decrypt.cpp audio_decoder.cpp crypto_gcm.cpp
// bench-sources: control_stream.cpp control_envelope.cpp control_messages.cpp enet_client.cpp enet_wire.cpp enet_send_queue.cpp enet_receive_queue.cpp
// bench-libs: gsc_opus gsc_bearssl
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "capture_reader.hpp"
#include "gsc_session.h"

#include "callgrind_markers.hpp"

namespace {

// Host ports of the recorded sessions (session.json -> ports.host).
constexpr uint16_t kHostVideoPort = 47998;
constexpr uint16_t kHostAudioPort = 48000;
// The reference client drops the first 500 ms of audio: 100 packets of 5 ms.
constexpr uint32_t kAudioDiscardPackets = 100;

struct Input {
    uint64_t time_us;
    uint32_t channel;
    std::vector<uint8_t> bytes;
};

struct Totals {
    uint32_t frames = 0;
    uint32_t audio = 0;
};

std::string read_text(const std::string &path) {
    std::vector<uint8_t> bytes;
    if (!gsc_test::read_file(path, bytes)) return {};
    return std::string(bytes.begin(), bytes.end());
}

bool config_of(const std::string &folder, bool decode, gsc_session_config &c) {
    const std::string session = read_text(folder + "/session.json");
    const std::string keys = read_text(folder + "/keys.json");
    const std::string key_hex = gsc_test::json_field(keys, "rikey_hex");
    const std::string ping = gsc_test::json_field(session, "ping_payload");
    if (key_hex.size() != 2 * GSC_SESSION_KEY_SIZE || ping.size() != GSC_SESSION_PING_PAYLOAD_SIZE) return false;
    c = gsc_session_config{};
    c.flags = GSC_SESSION_FLAG_NO_CONTROL | (decode ? 0 : GSC_SESSION_FLAG_AUDIO_NO_DECODE);
    c.video_codec = gsc_test::json_field(session, "codec") == "H.264" ? GSC_VIDEO_CODEC_H264 : GSC_VIDEO_CODEC_H265;
    c.video_packet_size_bytes = static_cast<uint32_t>(std::atoi(gsc_test::json_field(session, "packet_size_announced").c_str()));
    c.audio_channels = 2;
    c.audio_streams = 1;
    c.audio_coupled_streams = 1;
    c.audio_packet_duration_ms = 5;
    c.audio_mapping[1] = 1;
    c.audio_initial_discard_packets = kAudioDiscardPackets;
    c.encryption_flags = static_cast<uint32_t>(std::atoi(gsc_test::json_field(keys, "encryption_enabled_flags").c_str()));
    c.rikeyid = static_cast<int32_t>(std::atol(gsc_test::json_field(keys, "rikeyid").c_str()));
    for (uint32_t i = 0; i < GSC_SESSION_KEY_SIZE; i++) c.aes_key[i] = static_cast<uint8_t>(std::strtoul(key_hex.substr(2 * i, 2).c_str(), nullptr, 16));
    c.ping_payload_size_bytes = GSC_SESSION_PING_PAYLOAD_SIZE;
    std::memcpy(c.ping_payload, ping.data(), GSC_SESSION_PING_PAYLOAD_SIZE);
    return true;
}

uint64_t deadline_of(const gsc_session *s) {
    uint32_t d[2] = {};
    gsc_session_next_deadline(s, d);
    return uint64_t{d[1]} << 32 | d[0];
}

void drain(gsc_session *s, Totals &totals) {
    uint32_t channel = 0;
    const uint8_t *bytes = nullptr;
    while (gsc_session_poll_transmit(s, &channel, &bytes) != 0) {
    }
    gsc_event event;
    const uint8_t *data[GSC_EVENT_BYTES_COUNT] = {};
    while (uint32_t kind = gsc_session_poll_event(s, &event, data)) {
        if (kind == GSC_EVENT_VIDEO_FRAME) totals.frames++;
        if (kind == GSC_EVENT_AUDIO_FRAME) totals.audio++;
    }
}

// One pass over the recording. Kept out of line so that the instrumented region is exactly this.
__attribute__((noinline)) Totals feed(gsc_session *s, const std::vector<Input> &inputs) {
    Totals totals;
    const uint64_t start = inputs.front().time_us;
    for (const Input &in : inputs) {
        for (uint64_t d = deadline_of(s); d <= in.time_us; d = deadline_of(s)) {
            const uint64_t now = d > start ? d : start;
            if (gsc_session_handle_timeout(s, static_cast<uint32_t>(now), static_cast<uint32_t>(now >> 32)) != GSC_OK) std::abort();
            drain(s, totals);
        }
        uint32_t capacity = 0;
        uint8_t *buffer = gsc_session_rx_buf(s, in.channel, &capacity);
        // This copy stands for the socket read that fills the buffer; it is not counted.
        CALLGRIND_TOGGLE_COLLECT;
        std::memcpy(buffer, in.bytes.data(), in.bytes.size() < capacity ? in.bytes.size() : capacity);
        CALLGRIND_TOGGLE_COLLECT;
        if (gsc_session_rx_commit(s, in.channel, static_cast<uint32_t>(in.bytes.size()), static_cast<uint32_t>(in.time_us),
                                  static_cast<uint32_t>(in.time_us >> 32)) != GSC_OK) {
            std::abort();
        }
        drain(s, totals);
    }
    return totals;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <session folder> [--passes N] [--decode]\n", argv[0]);
        return 2;
    }
    const std::string folder = argv[1];
    uint32_t passes = 100;
    bool decode = false;
    for (int i = 2; i < argc; i++) {
        if (std::strcmp(argv[i], "--passes") == 0 && i + 1 < argc) {
            passes = static_cast<uint32_t>(std::atoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--decode") == 0) {
            decode = true;
        }
    }
    gsc_session_config config;
    if (!config_of(folder, decode, config)) {
        std::fprintf(stderr, "cannot read %s/session.json and keys.json\n", folder.c_str());
        return 1;
    }
    std::vector<gsc_test::UdpDatagram> all;
    if (!gsc_test::read_udp_datagrams(folder + "/capture.pcap", all)) {
        std::fprintf(stderr, "cannot read %s/capture.pcap\n", folder.c_str());
        return 1;
    }
    std::vector<Input> inputs;
    size_t video = 0;
    for (auto &d : all) {
        if (d.src_port != kHostVideoPort && d.src_port != kHostAudioPort) continue;
        const uint32_t channel = d.src_port == kHostVideoPort ? GSC_SESSION_CHANNEL_VIDEO : GSC_SESSION_CHANNEL_AUDIO;
        video += channel == GSC_SESSION_CHANNEL_VIDEO ? 1 : 0;
        inputs.push_back({d.time_us, channel, std::move(d.payload)});
    }
    if (inputs.empty()) return 1;

    Totals totals;
    double best_ns = 1e300;
    for (uint32_t pass = 0; pass < passes; pass++) {
        gsc_session *s = nullptr;
        if (gsc_session_create(&config, sizeof config, &s) != GSC_OK) return 1;
        const auto start = std::chrono::steady_clock::now();
        if (pass == 0) CALLGRIND_START_INSTRUMENTATION;
        totals = feed(s, inputs);
        if (pass == 0) CALLGRIND_STOP_INSTRUMENTATION;
        const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
        if (ns < best_ns) best_ns = ns;
        gsc_session_destroy(s);
    }
    std::printf("datagrams %zu (video %zu, audio %zu), video frames %u, audio packets %u, %s\n", inputs.size(), video,
                inputs.size() - video, totals.frames, totals.audio, decode ? "Opus decoded" : "Opus not decoded");
    std::printf("best of %u passes: %.0f ns per video frame, %.0f ns per datagram\n", passes,
                totals.frames == 0 ? 0.0 : best_ns / totals.frames, best_ns / static_cast<double>(inputs.size()));
    std::printf("frames %u\n", totals.frames);
    return 0;
}
