// Cost of the video receive path (FEC queue, Reed-Solomon, access-unit assembly) per frame,
// fed the video datagrams of a recorded Sunshine session from memory: the measurement behind
// design.md's performance targets (moonlight-common-c: about 1,500 instructions per frame with
// no loss and 10,600 with ~19 % loss where every FEC block still rebuilds).
//
//   video_bench <session folder> [--loss PERCENT] [--passes N] [--in-place]
//
// --loss drops packets with a seeded generator, at most m per FEC block, so every block still
// rebuilds (PERCENT is the per-packet drop chance before that cap: 19 drops 19.1 % of the
// packets of sunshine-0.23.1/dev-h264-720p60, the design.md condition). --in-place writes each
// datagram into receive_buffer() first, as the session worker will; under callgrind that copy
// (it stands for the socket read) is left out of the count. Prints the loss actually applied,
// the frames emitted and the best time per frame over the passes. Under valgrind's callgrind
// (--instr-atstart=no) exactly one pass is instrumented, so "Collected" / frames is the
// instruction count per frame.
//
// bench-sources: video_packet.cpp video_fec_queue.cpp video_depacketizer.cpp video_recovery.cpp video_receiver.cpp reed_solomon.cpp
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "capture_reader.hpp"
#include "video_receiver.hpp"

#include "callgrind_markers.hpp"

namespace {

constexpr uint16_t kHostVideoPort = 47998;

struct Datagram {
    std::vector<uint8_t> bytes;
};

uint64_t splitmix(uint64_t &state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t le32(const uint8_t *p) { return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24; }

// Drops each packet with probability percent/100, never more than m of a block.
std::vector<Datagram> drop_recoverable(const std::vector<Datagram> &in, uint32_t percent) {
    uint64_t seed = 0x5eed;
    std::map<uint64_t, uint32_t> dropped;  // (frame, block) -> count
    std::vector<Datagram> out;
    for (const Datagram &d : in) {
        const uint8_t *p = d.bytes.data();
        const uint64_t key = uint64_t{le32(p + 20)} << 8 | ((p[27] >> 4) & 3);
        const uint32_t fec = le32(p + 28);
        const uint32_t k = fec >> 22, m = (k * ((fec >> 4) & 0xFF) + 99) / 100;
        if (dropped[key] < m && splitmix(seed) % 10000 < percent * 100) {
            dropped[key]++;
            continue;
        }
        out.push_back(d);
    }
    return out;
}

gsc::VideoCodec codec_of(const std::string &folder) {
    return folder.find("h265") != std::string::npos || folder.find("hevc") != std::string::npos ? gsc::VideoCodec::kH265
                                                                                                 : gsc::VideoCodec::kH264;
}

// One pass over the datagrams; returns the access units emitted. Kept out of line so that
// the instrumented region is exactly this.
__attribute__((noinline)) uint32_t feed(gsc::VideoReceiver &rx, const std::vector<Datagram> &datagrams, bool in_place) {
    uint32_t units = 0;
    uint64_t now_us = 0;
    gsc::VideoOutput out;
    for (const Datagram &d : datagrams) {
        if (in_place) {
            // This copy stands for the socket read that fills the buffer; it is not counted.
            CALLGRIND_TOGGLE_COLLECT;
            std::memcpy(rx.receive_buffer(), d.bytes.data(), d.bytes.size());
            CALLGRIND_TOGGLE_COLLECT;
            rx.receive_in_place(d.bytes.size(), now_us);
        } else {
            rx.receive(d.bytes.data(), d.bytes.size(), now_us);
        }
        now_us += 10;
        while (rx.poll(out)) {
            if (out.kind == gsc::VideoOutput::Kind::kAccessUnit) units++;
        }
    }
    return units;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <session folder> [--loss PERCENT] [--passes N] [--in-place]\n", argv[0]);
        return 2;
    }
    const std::string folder = argv[1];
    uint32_t loss_percent = 0, passes = 100;
    bool in_place = false;
    for (int i = 2; i < argc; i++) {
        if (std::strcmp(argv[i], "--loss") == 0 && i + 1 < argc) {
            loss_percent = static_cast<uint32_t>(std::atoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--passes") == 0 && i + 1 < argc) {
            passes = static_cast<uint32_t>(std::atoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--in-place") == 0) {
            in_place = true;
        }
    }

    std::vector<gsc_test::UdpDatagram> all;
    if (!gsc_test::read_udp_datagrams(folder + "/capture.pcap", all)) {
        std::fprintf(stderr, "cannot read %s/capture.pcap\n", folder.c_str());
        return 1;
    }
    std::vector<Datagram> video;
    size_t datagram_bytes = 0;
    for (auto &d : all) {
        if (d.src_port != kHostVideoPort) continue;
        if (d.payload.size() > datagram_bytes) datagram_bytes = d.payload.size();
        video.push_back({std::move(d.payload)});
    }
    const std::vector<Datagram> fed = loss_percent == 0 ? video : drop_recoverable(video, loss_percent);

    gsc::VideoReceiverConfig config;
    config.max_datagram_bytes = static_cast<uint32_t>(datagram_bytes);
    config.codec = codec_of(folder);
    uint32_t units = 0;
    double best_ns = 1e300;
    for (uint32_t pass = 0; pass < passes; pass++) {
        gsc::VideoReceiver rx;
        if (rx.init(config) != gsc::VideoConfigError::kNone) return 1;
        const auto start = std::chrono::steady_clock::now();
        if (pass == 0) CALLGRIND_START_INSTRUMENTATION;
        units = feed(rx, fed, in_place);
        if (pass == 0) CALLGRIND_STOP_INSTRUMENTATION;
        const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
        if (ns < best_ns) best_ns = ns;
        if (pass == 0 && rx.counters().fec_blocks_recovered > 0) {
            std::printf("recovered blocks %llu, shards %llu\n",
                        static_cast<unsigned long long>(rx.counters().fec_blocks_recovered),
                        static_cast<unsigned long long>(rx.counters().fec_shards_recovered));
        }
    }
    const double loss = 1.0 - static_cast<double>(fed.size()) / static_cast<double>(video.size());
    std::printf("datagrams %zu of %zu (loss %.1f %%), access units %u, %s\n", fed.size(), video.size(), loss * 100.0, units,
                in_place ? "in-place receive" : "copying receive");
    std::printf("best of %u passes: %.0f ns per frame\n", passes, units == 0 ? 0.0 : best_ns / units);
    std::printf("frames %u\n", units);
    return 0;
}
