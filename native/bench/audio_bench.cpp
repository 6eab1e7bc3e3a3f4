// bench-sources: audio_receiver.cpp audio_packet.cpp audio_fec.cpp audio_decrypt.cpp audio_decoder.cpp reed_solomon.cpp
// bench-libs: gsc_opus gsc_bearssl
// Per-packet cost of the audio receiver on real Sunshine traffic, fed from memory: the
// datagrams of a capture replayed many times (each pass continues the RTP sequence so the
// receiver sees one long stream), in three modes: packets only (parse, window, FEC
// bookkeeping, decryption), packets + Opus decoding to PCM, and the same with one of the six
// packets of each block dropped so that every block is rebuilt by FEC.
//
// Built and run by native/bench/build.sh (optimised, no sanitizers):
//   build/bench/audio_bench [capture folder] [passes] [mode 0-3, default all]
// For exact instruction counts of one mode, without setup:
//   valgrind --tool=callgrind --toggle-collect='gsc::AudioReceiver::receive*'
//     --toggle-collect='gsc::AudioReceiver::poll_frame*' build/bench/audio_bench <folder> 5 <mode>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "audio_receiver.hpp"
#include "capture_reader.hpp"

namespace {

constexpr uint16_t kHostAudioPort = 48000;

struct Packet {
    std::vector<uint8_t> bytes;
    bool is_data;
    uint32_t shard;  // 0-3 data, 4-5 parity
};

// Rewrites the sequence numbers of one pass so that pass p continues where p - 1 ended.
void renumber(std::vector<uint8_t> &datagram, uint16_t offset) {
    const bool fec = (datagram[1] & 0x7f) == 127;
    const size_t at = fec ? 14 : 2;  // FEC: the base sequence in the FEC header
    const uint16_t seq = static_cast<uint16_t>((datagram[at] << 8 | datagram[at + 1]) + offset);
    datagram[at] = static_cast<uint8_t>(seq >> 8);
    datagram[at + 1] = static_cast<uint8_t>(seq);
}

double run(const std::vector<Packet> &packets, uint32_t passes, uint16_t pass_length, bool decode, bool drop,
           const gsc::AudioReceiverConfig &base, gsc::AudioStats &stats) {
    gsc::AudioReceiverConfig config = base;
    config.decode_pcm = decode;
    gsc::AudioReceiver receiver;
    if (receiver.init(config) != GSC_OK) return -1;
    std::vector<std::vector<uint8_t>> renumbered(packets.size());
    uint64_t now_us = 0;
    uint64_t sink = 0;
    gsc::AudioFrame frame{};
    std::chrono::steady_clock::duration spent{};
    uint32_t block = 0;
    for (uint32_t pass = 0; pass < passes; ++pass) {
        for (size_t i = 0; i < packets.size(); ++i) {
            renumbered[i] = packets[i].bytes;
            renumber(renumbered[i], static_cast<uint16_t>(pass * pass_length));
        }
        const auto start = std::chrono::steady_clock::now();
        for (size_t i = 0; i < packets.size(); ++i) {
            if (packets[i].shard == 0) block++;
            if (drop && packets[i].shard == block % 6 && block > 2) continue;
            now_us += packets[i].is_data ? 5000 : 0;
            receiver.receive(renumbered[i].data(), renumbered[i].size(), now_us);
            while (receiver.poll_frame(frame)) sink += frame.opus_size_bytes + (frame.pcm != nullptr ? frame.pcm[0] : 0);
        }
        spent += std::chrono::steady_clock::now() - start;
    }
    stats = receiver.stats();
    if (sink == 1) std::printf(" ");
    return std::chrono::duration<double, std::nano>(spent).count();
}

}  // namespace

int main(int argc, char **argv) {
    const std::string folder = argc > 1 ? argv[1] : "../shared/captures/sunshine-0.23.1/dev-h264-720p60";
    const uint32_t passes = argc > 2 ? static_cast<uint32_t>(std::atoi(argv[2])) : 40;
    const int only_mode = argc > 3 ? std::atoi(argv[3]) : -1;
    std::vector<gsc_test::UdpDatagram> all;
    if (!gsc_test::read_udp_datagrams(folder + "/capture.pcap", all)) {
        std::fprintf(stderr, "cannot read %s/capture.pcap\n", folder.c_str());
        return 1;
    }
    // Whole blocks only, from the first aligned one, so that renumbered passes join cleanly.
    std::vector<Packet> packets;
    for (const gsc_test::UdpDatagram &d : all) {
        if (d.src_port != kHostAudioPort || d.payload.size() < 16) continue;
        const bool is_data = (d.payload[1] & 0x7f) == 97;
        const uint16_t seq = static_cast<uint16_t>(d.payload[2] << 8 | d.payload[3]);
        packets.push_back({d.payload, is_data, is_data ? seq % 4u : 4u + d.payload[12]});
    }
    while (!packets.empty() && !(packets.back().shard == 5)) packets.pop_back();
    uint32_t data_packets = 0;
    for (const Packet &p : packets) data_packets += p.is_data ? 1 : 0;
    const uint16_t pass_length = static_cast<uint16_t>(data_packets);

    // keys.json of the default capture; other folders decrypt with failures (still timed).
    gsc::AudioReceiverConfig config;
    (void)gsc::sunshine_audio_layout(2, false, config.layout);
    const uint8_t key[16] = {0x38, 0xd7, 0x5e, 0x87, 0x38, 0x69, 0xd0, 0x9f, 0x89, 0x3a, 0x31, 0xe8, 0x14, 0x5e, 0x47, 0xdb};
    std::memcpy(config.key, key, sizeof key);
    config.rikeyid = -659895338;

    struct Mode {
        const char *name;
        bool decode;
        bool drop;
    };
    const Mode modes[] = {{"packets only (parse, window, decrypt)", false, false},
                          {"packets + Opus decode to PCM", true, false},
                          {"packets only, 1 of 6 dropped per block (FEC)", false, true},
                          {"packets + decode, 1 of 6 dropped per block", true, true}};
    std::printf("%s: %zu datagrams per pass (%u data), %u passes\n", folder.c_str(), packets.size(), data_packets, passes);
    for (int mode = 0; mode < 4; ++mode) {
        if (only_mode >= 0 && mode != only_mode) continue;
        const Mode &m = modes[mode];
        gsc::AudioStats stats{};
        const double ns = run(packets, passes, pass_length, m.decode, m.drop, config, stats);
        std::printf("  %-46s %8.0f ns per datagram, %8.0f ns per frame (frames %u, recovered %u, concealed %u, "
                    "decrypt failures %u)\n",
                    m.name, ns / stats.datagrams, ns / stats.frames, stats.frames, stats.recovered, stats.concealed,
                    stats.decrypt_failures);
    }
    return 0;
}
