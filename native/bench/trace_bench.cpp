// Cost and latency of the session per video frame on a simulator trace (scripts/make-trace.ts:
// the 4K60 ~100 Mbit/s HEVC stream with 10 % random loss), fed from memory through the C ABI
// as the session worker calls it: rx_buf, write, rx_commit, drain (transmits, events),
// handle_timeout at each deadline, with the trace's arrival times as the session's clock.
//
//   trace_bench <trace file> [--passes N]
//
// Measured in process time (steady_clock) around each core call, the write into rx_buf left
// out (it stands for the socket read):
//   - core time per frame: the time spent in the core since the previous access unit came
//     out, charged to the next one (so datagrams of frames that never complete count too);
//   - latency: from the start of the rx_commit (or handle_timeout) whose drain hands an access
//     unit out to the moment poll_event returns it.
// The first pass warms caches and is left out; the figures cover all frames of the others.
// Prints readable lines and one `result {json}` line for scripts/bench.ts.
//
// bench-sources: session.cpp session_output.cpp session_abi.cpp session_control.cpp udp_ping.cpp video_decrypt.cpp
// bench-sources: video_packet.cpp video_fec_queue.cpp video_depacketizer.cpp video_recovery.cpp video_receiver.cpp reed_solomon.cpp
// bench-sources: audio_receiver.cpp audio_packet.cpp audio_fec.cpp audio_decrypt.cpp audio_decoder.cpp crypto_gcm.cpp
// bench-sources: control_stream.cpp control_envelope.cpp control_messages.cpp enet_client.cpp enet_wire.cpp enet_send_queue.cpp enet_receive_queue.cpp
// bench-libs: gsc_opus gsc_bearssl
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gsc_session.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Datagram {
    uint64_t arrival_us;
    uint32_t frame_index;  // from the NV header (the trace is not encrypted)
    std::vector<uint8_t> bytes;
};

struct Trace {
    uint32_t codec = 0, width = 0, height = 0, fps = 0, packet_size = 0;
    std::vector<Datagram> datagrams;
};

struct Samples {
    std::vector<double> core_ns;     // per access unit
    std::vector<double> latency_ns;  // per access unit
    uint64_t same_frame = 0;         // access units handed out by a datagram of their own frame
    uint32_t frames = 0, recovered = 0, dropped = 0, lost = 0;
};

uint32_t le32(const uint8_t *p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24; }

bool read_trace(const char *path, Trace &t) {
    FILE *f = std::fopen(path, "rb");
    if (f == nullptr) return false;
    std::vector<uint8_t> file;
    uint8_t chunk[1 << 16];
    for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) file.insert(file.end(), chunk, chunk + n);
    std::fclose(f);
    if (file.size() < 40 || std::memcmp(file.data(), "GSCTRACE", 8) != 0 || le32(&file[8]) != 1) return false;
    t.codec = le32(&file[12]);
    t.width = le32(&file[16]);
    t.height = le32(&file[20]);
    t.fps = le32(&file[24]);
    t.packet_size = le32(&file[28]);
    const uint32_t count = le32(&file[32]);
    size_t at = 40 + size_t{le32(&file[36])};
    for (uint32_t i = 0; i < count; i++) {
        if (at + 10 > file.size()) return false;
        const uint64_t arrival = uint64_t{le32(&file[at])} | uint64_t{le32(&file[at + 4])} << 32;
        const size_t length = size_t{file[at + 8]} | size_t{file[at + 9]} << 8;
        at += 10;
        if (at + length > file.size() || length < 24) return false;
        t.datagrams.push_back({arrival, le32(&file[at + 20]), std::vector<uint8_t>(file.begin() + at, file.begin() + at + length)});
        at += length;
    }
    return true;
}

// As wasm/session.ts configures a media-only session for this stream.
gsc_session_config config_of(const Trace &t) {
    gsc_session_config c{};
    c.flags = GSC_SESSION_FLAG_NO_CONTROL | GSC_SESSION_FLAG_AUDIO_NO_DECODE;
    c.video_codec = t.codec == 0 ? GSC_VIDEO_CODEC_H264 : GSC_VIDEO_CODEC_H265;
    c.video_packet_size_bytes = t.packet_size;
    const uint64_t raw = (uint64_t{t.width} * t.height * 3 + 1) / 2;
    c.video_max_frame_bytes = static_cast<uint32_t>(std::min<uint64_t>(16u << 20, std::max<uint64_t>(1u << 20, raw)));
    c.video_timeout_ms = 10000;
    c.audio_channels = 2;
    c.audio_streams = 1;
    c.audio_coupled_streams = 1;
    c.audio_packet_duration_ms = 5;
    c.audio_mapping[1] = 1;
    c.audio_initial_discard_packets = 100;
    return c;
}

uint64_t deadline_of(const gsc_session *s) {
    uint32_t d[2] = {};
    gsc_session_next_deadline(s, d);
    return uint64_t{d[1]} << 32 | d[0];
}

double since(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::nano>(b - a).count(); }

// One input's drain: every transmit and event. Access units are timed as poll_event returns them.
void drain(gsc_session *s, Clock::time_point started, uint32_t input_frame, Samples &out, uint32_t &units) {
    uint32_t channel = 0;
    const uint8_t *bytes = nullptr;
    while (gsc_session_poll_transmit(s, &channel, &bytes) != 0) {
    }
    gsc_event event;
    const uint8_t *data[GSC_EVENT_BYTES_COUNT] = {};
    while (uint32_t kind = gsc_session_poll_event(s, &event, data)) {
        if (kind != GSC_EVENT_VIDEO_FRAME) continue;
        out.latency_ns.push_back(since(started, Clock::now()));
        if (event.u.video.frame_index == input_frame) out.same_frame++;
        units++;
    }
}

// One pass: a fresh session fed the whole trace. Kept out of line so it is one measured unit.
__attribute__((noinline)) void feed(const Trace &t, Samples &out) {
    const gsc_session_config config = config_of(t);
    gsc_session *s = nullptr;
    if (gsc_session_create(&config, sizeof config, &s) != GSC_OK) std::abort();
    const uint64_t start = t.datagrams.front().arrival_us;
    double pending_ns = 0;  // core time since the last access unit
    auto charge = [&](Clock::time_point began, uint32_t units) {
        pending_ns += since(began, Clock::now());
        for (uint32_t i = 0; i < units; i++) out.core_ns.push_back(pending_ns / units);
        if (units > 0) pending_ns = 0;
    };
    for (const Datagram &d : t.datagrams) {
        for (uint64_t due = deadline_of(s); due <= d.arrival_us; due = deadline_of(s)) {
            const uint64_t now = due > start ? due : start;
            const Clock::time_point began = Clock::now();
            if (gsc_session_handle_timeout(s, static_cast<uint32_t>(now), static_cast<uint32_t>(now >> 32)) != GSC_OK) std::abort();
            uint32_t units = 0;
            drain(s, began, UINT32_MAX, out, units);
            charge(began, units);
        }
        uint32_t capacity = 0;
        uint8_t *buffer = gsc_session_rx_buf(s, GSC_SESSION_CHANNEL_VIDEO, &capacity);
        std::memcpy(buffer, d.bytes.data(), std::min<size_t>(d.bytes.size(), capacity));
        const Clock::time_point began = Clock::now();
        if (gsc_session_rx_commit(s, GSC_SESSION_CHANNEL_VIDEO, static_cast<uint32_t>(d.bytes.size()), static_cast<uint32_t>(d.arrival_us),
                                  static_cast<uint32_t>(d.arrival_us >> 32)) != GSC_OK) {
            std::abort();
        }
        uint32_t units = 0;
        drain(s, began, d.frame_index, out, units);
        charge(began, units);
    }
    gsc_session_counters counters{};
    if (gsc_session_stats(s, &counters, sizeof counters) != GSC_OK) std::abort();
    out.frames += counters.frames_complete;
    out.recovered += counters.frames_recovered;
    out.dropped += counters.frames_dropped;
    out.lost += counters.frames_lost;
    gsc_session_destroy(s);
}

// Nearest rank.
double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[rank == 0 ? 0 : rank - 1];
}

double mean(const std::vector<double> &v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// The cost of one Clock::now(), which each figure carries once or twice.
double clock_read_ns() {
    constexpr int kReads = 100000;
    const Clock::time_point a = Clock::now();
    Clock::time_point b = a;
    for (int i = 0; i < kReads; i++) b = Clock::now();
    return since(a, b) / kReads;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <trace file> [--passes N]\n", argv[0]);
        return 2;
    }
    uint32_t passes = 20;
    for (int i = 2; i < argc; i++) {
        if (std::strcmp(argv[i], "--passes") == 0 && i + 1 < argc) passes = static_cast<uint32_t>(std::max(2, std::atoi(argv[++i])));
    }
    Trace trace;
    if (!read_trace(argv[1], trace) || trace.datagrams.empty()) {
        std::fprintf(stderr, "cannot read the trace %s\n", argv[1]);
        return 1;
    }
    Samples warm, measured;
    feed(trace, warm);
    for (uint32_t pass = 1; pass < passes; pass++) feed(trace, measured);
    const uint32_t measured_passes = passes - 1;
    const size_t units = measured.core_ns.size();
    const double per_pass = static_cast<double>(units) / measured_passes;
    std::printf("datagrams %zu, access units %.0f per pass (recovered blocks %u, frames dropped %u, lost %u)\n", trace.datagrams.size(),
                per_pass, measured.recovered / measured_passes, measured.dropped / measured_passes, measured.lost / measured_passes);
    std::printf("core time per frame: mean %.0f ns, p50 %.0f ns, p99 %.0f ns (%zu frames over %u passes)\n", mean(measured.core_ns),
                percentile(measured.core_ns, 0.5), percentile(measured.core_ns, 0.99), units, measured_passes);
    std::printf("datagram-in to access-unit-out: p50 %.0f ns, p99 %.0f ns, max %.0f ns; %.1f %% handed out by a datagram of their own frame\n",
                percentile(measured.latency_ns, 0.5), percentile(measured.latency_ns, 0.99), percentile(measured.latency_ns, 1.0),
                units == 0 ? 0.0 : 100.0 * static_cast<double>(measured.same_frame) / static_cast<double>(units));
    const double clock_ns = clock_read_ns();
    std::printf("clock read %.0f ns (two per datagram are in the core time)\n", clock_ns);
    std::printf("result {\"datagrams\":%zu,\"framesPerPass\":%.1f,\"cpuMeanNs\":%.0f,\"cpuP50Ns\":%.0f,\"cpuP99Ns\":%.0f,\"latencyP50Ns\":%.0f,"
                "\"latencyP99Ns\":%.0f,\"latencyMaxNs\":%.0f,\"clockReadNs\":%.1f}\n",
                trace.datagrams.size(), per_pass, mean(measured.core_ns), percentile(measured.core_ns, 0.5), percentile(measured.core_ns, 0.99),
                percentile(measured.latency_ns, 0.5), percentile(measured.latency_ns, 0.99), percentile(measured.latency_ns, 1.0), clock_ns);
    return 0;
}
