// Shared pieces of the session tests: the recorded Sunshine sessions as session inputs (video
// and audio datagrams from the host ports, in capture order, with their capture times), the
// session config each one was negotiated with, and a driver that runs a session through the C
// ABI exactly as the session worker does (rx_buf, write, rx_commit, drain; handle_timeout when
// the deadline comes) and records everything it produced. Test code only: it allocates freely.
#ifndef GSC_TEST_SESSION_TEST_SUPPORT_HPP
#define GSC_TEST_SESSION_TEST_SUPPORT_HPP

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "capture_reader.hpp"
#include "test_harness.hpp"
#include "gsc_session.h"

namespace session_test {

using Bytes = std::vector<uint8_t>;

// Host ports (session.json -> ports.host; the same in every recorded session).
constexpr uint16_t kHostVideoPort = 47998;
constexpr uint16_t kHostAudioPort = 48000;
constexpr uint16_t kHostControlPort = 47999;

struct SessionCase {
    const char *folder;
    uint32_t codec;              // GSC_VIDEO_CODEC_*
    uint32_t packet_size_bytes;  // session.json -> video.packet_size_announced
    uint32_t encryption_flags;   // keys.json -> encryption_enabled_flags
    const char *ping_payload;    // session.json -> negotiation.ping_payload
    // session.json -> video.frames_on_wire, dumps_vs_capture.video_annexb_frames,
    // dumps_vs_capture.audio_records and audio_data_packets_after_last_record
    uint32_t frames_on_wire;
    uint32_t reference_frames;
    uint32_t audio_records;
    uint32_t audio_records_after;
};

inline const SessionCase kSessionCases[] = {
    {"sunshine-0.23.1/dev-h264-720p60", GSC_VIDEO_CODEC_H264, 1392, 5, "A7603E9181ADDC28", 401, 396, 716, 16},
    {"sunshine-0.23.1/dev-h265-720p60", GSC_VIDEO_CODEC_H265, 1392, 5, "5A85CA5E9C60067F", 389, 387, 698, 9},
    {"sunshine-2026.817/dev-h264-720p60", GSC_VIDEO_CODEC_H264, 1392, 5, "3A046CB34C9B85EC", 330, 329, 492, 5},
    {"sunshine-2026.817/dev-h265-720p60-encvideo", GSC_VIDEO_CODEC_H265, 1360, 7, "109EFCD04B08809D", 337, 334, 547, 10},
};

struct Input {
    uint64_t time_us;
    uint32_t channel;
    Bytes bytes;
};

struct Capture {
    std::vector<Input> inputs;  // host -> client video, audio and control datagrams
    Bytes annexb;
    Bytes opus_records;
    uint8_t key[16] = {};
    int32_t rikeyid = 0;
};

inline std::string text_of(const Bytes &b) { return std::string(b.begin(), b.end()); }

using gsc_test::json_field;

// False when the captures are not there.
inline bool load_capture(const SessionCase &c, Capture &out) {
    const std::string dir = gsc_test::captures_dir();
    if (dir.empty()) return false;
    const std::string folder = dir + "/" + c.folder;
    std::vector<gsc_test::UdpDatagram> all;
    if (!gsc_test::read_udp_datagrams(folder + "/capture.pcap", all)) return false;
    for (auto &d : all) {
        uint32_t channel = GSC_SESSION_CHANNEL_COUNT;
        if (d.src_port == kHostVideoPort) channel = GSC_SESSION_CHANNEL_VIDEO;
        if (d.src_port == kHostAudioPort) channel = GSC_SESSION_CHANNEL_AUDIO;
        if (d.src_port == kHostControlPort) channel = GSC_SESSION_CHANNEL_CONTROL;
        if (channel != GSC_SESSION_CHANNEL_COUNT) out.inputs.push_back({d.time_us, channel, std::move(d.payload)});
    }
    Bytes keys;
    if (!gsc_test::read_file(folder + "/keys.json", keys)) return false;
    const std::string key_hex = json_field(text_of(keys), "rikey_hex");
    const Bytes key = gsc_test::hex(key_hex.c_str());
    if (key.size() != 16) return false;
    std::memcpy(out.key, key.data(), 16);
    out.rikeyid = static_cast<int32_t>(std::stol(json_field(text_of(keys), "rikeyid")));
    return gsc_test::read_file(folder + "/video.annexb", out.annexb) &&
           gsc_test::read_file(folder + "/audio.opus-records", out.opus_records);
}

// The config the recorded session negotiated, media only (the recording's control stream
// belongs to another client's ENet session).
inline gsc_session_config config_for(const SessionCase &c, const Capture &capture, uint32_t extra_flags = 0) {
    gsc_session_config config{};
    config.flags = GSC_SESSION_FLAG_NO_CONTROL | extra_flags;
    config.video_codec = c.codec;
    config.video_packet_size_bytes = c.packet_size_bytes;
    config.video_timeout_ms = 10000;
    config.audio_channels = 2;
    config.audio_streams = 1;
    config.audio_coupled_streams = 1;
    config.audio_packet_duration_ms = 5;
    config.audio_mapping[0] = 0;
    config.audio_mapping[1] = 1;
    // The reference client drops the first 500 ms of audio (100 packets of 5 ms).
    config.audio_initial_discard_packets = 100;
    config.encryption_flags = c.encryption_flags;
    config.rikeyid = capture.rikeyid;
    std::memcpy(config.aes_key, capture.key, 16);
    config.ping_payload_size_bytes = 16;
    std::memcpy(config.ping_payload, c.ping_payload, 16);
    for (uint32_t i = 0; i < GSC_SESSION_SEED_SIZE; i++) config.seed[i] = static_cast<uint8_t>(i);
    return config;
}

// What a session produced.
struct Output {
    struct Frame {
        gsc_event event;
        Bytes data;
    };
    struct Audio {
        gsc_event event;
        Bytes pcm;
        Bytes opus;
    };
    std::vector<Frame> frames;
    std::vector<Audio> audio;
    std::vector<gsc_event> other;  // connected, terminated, rumble, HDR
    std::vector<std::pair<uint32_t, Bytes>> transmits;
    uint64_t digest = 1469598103934665603ull;  // FNV-1a over everything, in order

    void mix(const void *p, size_t n) {
        const uint8_t *b = static_cast<const uint8_t *>(p);
        for (size_t i = 0; i < n; i++) digest = (digest ^ b[i]) * 1099511628211ull;
    }
};

inline uint64_t deadline_of(const gsc_session *s) {
    uint32_t d[2] = {};
    gsc_session_next_deadline(s, d);
    return uint64_t{d[1]} << 32 | d[0];
}

inline uint32_t lo(uint64_t t) { return static_cast<uint32_t>(t); }
inline uint32_t hi(uint64_t t) { return static_cast<uint32_t>(t >> 32); }

// Drains transmits then events, as gsc_session.h orders it.
inline void drain(gsc_session *s, Output &out) {
    uint32_t channel = 0;
    const uint8_t *bytes = nullptr;
    while (uint32_t size = gsc_session_poll_transmit(s, &channel, &bytes)) {
        out.mix(&channel, sizeof channel);
        out.mix(bytes, size);
        out.transmits.push_back({channel, Bytes(bytes, bytes + size)});
    }
    gsc_event event;
    const uint8_t *data[GSC_EVENT_BYTES_COUNT] = {};
    while (gsc_session_poll_event(s, &event, data) != GSC_EVENT_NONE) {
        out.mix(&event, sizeof event);
        const Bytes main = data[0] == nullptr ? Bytes() : Bytes(data[0], data[0] + event.size_bytes);
        out.mix(main.data(), main.size());
        if (event.kind == GSC_EVENT_VIDEO_FRAME) {
            out.frames.push_back({event, main});
        } else if (event.kind == GSC_EVENT_AUDIO_FRAME) {
            const uint8_t *opus = data[GSC_EVENT_BYTES_OPUS];
            Bytes packet = opus == nullptr ? Bytes() : Bytes(opus, opus + event.u.audio.opus_size_bytes);
            out.mix(packet.data(), packet.size());
            out.audio.push_back({event, main, std::move(packet)});
        } else {
            out.other.push_back(event);
        }
    }
}

// Runs the timers due up to `until_us`, draining after each.
inline void run_until(gsc_session *s, uint64_t until_us, Output &out) {
    for (uint64_t d = deadline_of(s); d <= until_us; d = deadline_of(s)) {
        if (gsc_session_handle_timeout(s, lo(d), hi(d)) != GSC_OK) return;
        drain(s, out);
        if (deadline_of(s) == d) return;  // a broken session: never loop
    }
}

// One datagram in, zero-copy as the worker does it, then a drain.
inline gsc_status feed(gsc_session *s, uint32_t channel, const uint8_t *bytes, size_t size, uint64_t now_us, Output &out) {
    uint32_t capacity = 0;
    uint8_t *buffer = gsc_session_rx_buf(s, channel, &capacity);
    if (buffer == nullptr) return GSC_ERR_BAD_ARGUMENT;
    std::memcpy(buffer, bytes, size < capacity ? size : capacity);
    const gsc_status status = gsc_session_rx_commit(s, channel, static_cast<uint32_t>(size), lo(now_us), hi(now_us));
    drain(s, out);
    return status;
}

// Feeds the inputs of the given channels (all when mask is 0b111) at their capture times.
// The session starts at the first input's time, as a worker starts it when its sockets open.
inline void replay(gsc_session *s, const std::vector<Input> &inputs, Output &out, uint32_t channel_mask = 0x3) {
    if (inputs.empty()) return;
    if (gsc_session_handle_timeout(s, lo(inputs.front().time_us), hi(inputs.front().time_us)) != GSC_OK) return;
    drain(s, out);
    for (const Input &in : inputs) {
        if ((channel_mask & (1u << in.channel)) == 0) continue;
        run_until(s, in.time_us, out);
        if (feed(s, in.channel, in.bytes.data(), in.bytes.size(), in.time_us, out) != GSC_OK) return;
    }
}

// audio.opus-records: 4-byte little-endian length, then the packet.
inline std::vector<Bytes> opus_records(const Bytes &file) {
    std::vector<Bytes> records;
    size_t at = 0;
    while (at + 4 <= file.size()) {
        const size_t n = size_t{file[at]} | size_t{file[at + 1]} << 8 | size_t{file[at + 2]} << 16 | size_t{file[at + 3]} << 24;
        at += 4;
        if (at + n > file.size()) break;
        records.emplace_back(file.begin() + static_cast<long>(at), file.begin() + static_cast<long>(at + n));
        at += n;
    }
    return records;
}

}  // namespace session_test

#endif
