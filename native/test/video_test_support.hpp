// Shared pieces of the video tests: the recorded Sunshine sessions (shared/captures), the
// README's rule for comparing an access unit with the reference client's decoder input, a
// host-side packetizer that builds FEC-protected frames as Sunshine does
// (shared/protocol/data-plane.md §2.4, §2.5), a seeded PRNG, and a driver that runs datagrams
// through the FEC queue and collects frames. Test code only: it allocates freely.
#ifndef GSC_TEST_VIDEO_TEST_SUPPORT_HPP
#define GSC_TEST_VIDEO_TEST_SUPPORT_HPP

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capture_reader.hpp"
#include "reed_solomon.hpp"
#include "video_depacketizer.hpp"
#include "video_fec_queue.hpp"
#include "video_receiver.hpp"

namespace video_test {

using Bytes = std::vector<uint8_t>;

// Host video port (session.json -> ports.host.video; the same in every session).
constexpr uint16_t kHostVideoPort = 47998;
constexpr uint32_t kHeaderBytes = 32;

struct CaptureCase {
    const char *folder;
    gsc::VideoCodec codec;
    // session.json -> video.datagram_size
    uint32_t datagram_bytes;
    // session.json -> video.frames_on_wire
    uint32_t frames_on_wire;
    // session.json -> dumps_vs_capture.video_annexb_frames and client_totals.video_idr_frames
    uint32_t reference_frames;
    uint32_t reference_idr_frames;
};

// The clear-video sessions (the encrypted one is out of scope here).
inline const CaptureCase kCaptureCases[] = {
    {"sunshine-0.23.1/dev-h264-720p60", gsc::VideoCodec::kH264, 1408, 401, 396, 1},
    {"sunshine-0.23.1/dev-h265-720p60", gsc::VideoCodec::kH265, 1408, 389, 387, 1},
    {"sunshine-2026.817/dev-h264-720p60", gsc::VideoCodec::kH264, 1408, 330, 329, 1},
};

struct Datagram {
    uint64_t time_us;
    Bytes bytes;
};

struct VideoCapture {
    std::vector<Datagram> datagrams;
    Bytes annexb;
};

// Host -> client video datagrams in capture order, and video.annexb. False when the captures
// are not there.
inline bool load_capture(const CaptureCase &c, VideoCapture &out) {
    const std::string dir = gsc_test::captures_dir();
    if (dir.empty()) return false;
    std::vector<gsc_test::UdpDatagram> all;
    if (!gsc_test::read_udp_datagrams(dir + "/" + c.folder + "/capture.pcap", all)) return false;
    for (auto &d : all) {
        if (d.src_port == kHostVideoPort) out.datagrams.push_back({d.time_us, std::move(d.payload)});
    }
    return gsc_test::read_file(dir + "/" + c.folder + "/video.annexb", out.annexb);
}

inline bool is_skippable(gsc::VideoCodec codec, uint8_t header) {
    if (codec == gsc::VideoCodec::kH264) {
        const uint8_t t = header & 0x1F;
        return t == 6 || t == 9;
    }
    const uint8_t t = (header >> 1) & 0x3F;
    return t == 35 || t == 39 || t == 40;
}

inline bool is_parameter_set(gsc::VideoCodec codec, uint8_t header) {
    if (codec == gsc::VideoCodec::kH264) {
        const uint8_t t = header & 0x1F;
        return t == 7 || t == 8;
    }
    const uint8_t t = (header >> 1) & 0x3F;
    return t >= 32 && t <= 34;
}

inline bool is_idr_slice(gsc::VideoCodec codec, uint8_t header) {
    if (codec == gsc::VideoCodec::kH264) return (header & 0x1F) == 5;
    const uint8_t t = (header >> 1) & 0x3F;
    return t >= 16 && t <= 21;
}

// NAL units of an Annex-B buffer: [start of start code, start of next start code).
struct Nal {
    size_t begin;   // first byte of the start code
    size_t header;  // first byte after the start code
    size_t end;
};

inline std::vector<Nal> split_nals(const Bytes &b) {
    std::vector<Nal> nals;
    size_t i = 0;
    auto start_code_at = [&](size_t at) -> size_t {  // length of a start code at `at`, or 0
        if (at + 3 <= b.size() && b[at] == 0 && b[at + 1] == 0 && b[at + 2] == 1) return 3;
        if (at + 4 <= b.size() && b[at] == 0 && b[at + 1] == 0 && b[at + 2] == 0 && b[at + 3] == 1) return 4;
        return 0;
    };
    while (i < b.size()) {
        const size_t len = start_code_at(i);
        if (len == 0) {
            i++;
            continue;
        }
        if (!nals.empty()) nals.back().end = i;
        nals.push_back({i, i + len, b.size()});
        i += len;
    }
    return nals;
}

// The README's rule (captures/README.md, "video.annexb"): what the reference client handed its
// decoder for an access unit that a correct depacketizer emits exactly. Steps 1-2 drop leading
// AUD/SEI units and, in an IDR, the AUD/SEI units after the parameter sets; then zero bytes up
// to the end of the frame's last packet, which that client does not trim.
inline Bytes reference_form(gsc::VideoCodec codec, const uint8_t *au, size_t size, uint32_t payload_bytes) {
    const Bytes in(au, au + size);
    const std::vector<Nal> nals = split_nals(in);
    Bytes out;
    size_t n = 0;
    while (n < nals.size() && nals[n].header < in.size() && is_skippable(codec, in[nals[n].header])) n++;
    if (n < nals.size() && is_parameter_set(codec, in[nals[n].header])) {
        for (; n < nals.size() && !is_idr_slice(codec, in[nals[n].header]); n++) {
            if (is_parameter_set(codec, in[nals[n].header])) out.insert(out.end(), in.begin() + nals[n].begin, in.begin() + nals[n].end);
        }
    }
    if (n < nals.size()) out.insert(out.end(), in.begin() + nals[n].begin, in.end());
    // Frame = 8-byte header + bitstream, cut into payload_bytes packets.
    const size_t framed = size + 8;
    const size_t padded = (framed + payload_bytes - 1) / payload_bytes * payload_bytes;
    out.insert(out.end(), padded - framed, 0);
    return out;
}

// splitmix64: a seeded generator, so a failing case can be replayed from its seed.
struct Prng {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound).
    uint32_t below(uint32_t bound) { return static_cast<uint32_t>(next() % bound); }
    bool chance_percent(uint32_t percent) { return below(10000) < percent * 100; }
};

// Seed for randomised cases: $GSC_TEST_SEED when set, else `fallback`.
inline uint64_t test_seed(uint64_t fallback) {
    const char *s = std::getenv("GSC_TEST_SEED");
    return s == nullptr ? fallback : std::strtoull(s, nullptr, 0);
}

// What the FEC queue produced: complete frames (exact access units) and lost frames.
struct FecRun {
    std::map<uint32_t, Bytes> frames;
    std::vector<uint32_t> order;  // frame indices in hand-out order
    std::vector<uint32_t> lost;
    uint32_t assemble_errors = 0;
};

inline void drain(gsc::VideoFecQueue &queue, const gsc::DepacketizerConfig &dp, std::vector<uint8_t> &buffer,
                  FecRun &run) {
    for (;;) {
        uint32_t first = 0, last = 0;
        if (queue.take_lost(first, last)) {
            for (uint32_t f = first; f != last + 1; f++) run.lost.push_back(f);
            continue;
        }
        gsc::FecFrameInfo head{};
        if (!queue.head_complete(head)) return;
        gsc::AccessUnitInfo info{};
        const uint32_t frame = head.frame_index;
        if (gsc::assemble_access_unit(queue, head, dp, buffer.data(), info) == gsc::AssembleError::kNone) {
            run.frames[frame] = Bytes(info.data, info.data + info.size_bytes);
            run.order.push_back(frame);
        } else {
            run.assemble_errors++;
        }
        queue.release_head();
    }
}

inline gsc::VideoFecConfig fec_config(uint32_t datagram_bytes, uint32_t tolerance = 0, uint32_t frames_in_flight = 8) {
    gsc::VideoFecConfig c{};
    c.max_datagram_bytes = datagram_bytes;
    c.max_shards_per_block = 255;
    c.max_blocks_per_frame = 4;
    c.max_frames_in_flight = frames_in_flight;
    c.max_held_packets = 5 * 255;
    c.reorder_tolerance_packets = tolerance;
    c.first_frame_index = 1;
    c.rebuild_only_last_payload = true;
    return c;
}

inline gsc::DepacketizerConfig depacketizer_config(gsc::VideoCodec codec) {
    return gsc::DepacketizerConfig{codec, 4u << 20, gsc::kFrameHeaderLongBytesDefault, true};
}

// Feeds `datagrams` to a fresh FEC queue and collects its output.
inline FecRun run_fec(const std::vector<const Bytes *> &datagrams, gsc::VideoCodec codec, const gsc::VideoFecConfig &config,
                      gsc::VideoCounters &counters) {
    FecRun run;
    gsc::VideoFecQueue queue;
    if (queue.init(config, &counters) != gsc::VideoConfigError::kNone) {
        run.assemble_errors = 1000000;
        return run;
    }
    const gsc::DepacketizerConfig dp = depacketizer_config(codec);
    std::vector<uint8_t> buffer(dp.max_frame_bytes);
    uint64_t now = 0;
    for (const Bytes *d : datagrams) {
        queue.receive(d->data(), d->size(), now++, false);
        drain(queue, dp, buffer, run);
    }
    return run;
}

// One FEC block of a capture or of a synthetic stream, as the tests see it.
struct BlockInfo {
    uint32_t frame_index;
    uint32_t block_index;
    uint32_t data_shards;
    uint32_t parity_shards;
    std::vector<size_t> packets;  // indices into the datagram list, shard order
};

inline uint32_t le32(const uint8_t *p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// Groups datagrams (clear, 16-byte RTP header) into blocks by frame, block and fecInfo.
inline std::vector<BlockInfo> blocks_of(const std::vector<Datagram> &datagrams) {
    std::vector<BlockInfo> blocks;
    std::map<std::pair<uint32_t, uint32_t>, size_t> where;
    for (size_t i = 0; i < datagrams.size(); i++) {
        const uint8_t *d = datagrams[i].bytes.data();
        const uint32_t frame = le32(d + 20);
        const uint32_t block = (d[27] >> 4) & 3;
        const uint32_t fec = le32(d + 28);
        const uint32_t k = fec >> 22, p = (fec >> 4) & 0xFF;
        auto key = std::make_pair(frame, block);
        if (where.find(key) == where.end()) {
            where[key] = blocks.size();
            blocks.push_back({frame, block, k, (k * p + 99) / 100, {}});
        }
        blocks[where[key]].packets.push_back(i);
    }
    return blocks;
}

// A Sunshine-like host for synthetic streams (data-plane.md §2.4-§2.5): frames in, datagrams out.
struct Packetizer {
    uint32_t datagram_bytes = 1408;
    uint32_t fec_percentage = 20;
    uint32_t min_parity = 2;
    uint16_t sequence = 0;
    uint32_t timestamp = 0;
    std::unique_ptr<gsc::ReedSolomon> rs;

    Packetizer() : rs(new gsc::ReedSolomon) { rs->init(); }

    // The datagrams of one frame, in send order. `frame_type` goes into header byte 3.
    std::vector<Bytes> frame(uint32_t frame_index, const Bytes &bitstream, uint8_t frame_type = 1, uint32_t blocks_wanted = 0) {
        const uint32_t s = datagram_bytes - kHeaderBytes;
        Bytes framed(8, 0);
        framed[0] = 0x01;
        framed[3] = frame_type;
        framed.insert(framed.end(), bitstream.begin(), bitstream.end());
        const uint32_t shards_total = static_cast<uint32_t>((framed.size() + s - 1) / s);
        uint32_t last_len = static_cast<uint32_t>(framed.size() % s);
        if (last_len == 0) last_len = s;
        framed[4] = static_cast<uint8_t>(last_len);
        framed[5] = static_cast<uint8_t>(last_len >> 8);
        framed.resize(size_t{shards_total} * s, 0);

        uint32_t p = fec_percentage;
        const uint32_t dmax = 255 * 100 / (100 + p);
        uint32_t blocks = (shards_total + dmax - 1) / dmax;
        if (blocks > 4) {
            p = 0;
            blocks = 4;
        }
        if (blocks_wanted != 0) blocks = blocks_wanted;
        const uint32_t per_block = (shards_total + blocks - 1) / blocks;
        std::vector<Bytes> out;
        uint32_t shard = 0;
        for (uint32_t b = 0; b < blocks; b++) {
            const uint32_t k = b + 1 == blocks ? shards_total - shard : per_block;
            uint32_t bp = p;
            uint32_t m = p == 0 ? 0 : (k * p + 99) / 100;
            if (p != 0 && m < min_parity) {
                m = min_parity;
                bp = 100 * m / k;
            }
            std::vector<Bytes> data(k, Bytes(datagram_bytes, 0));
            for (uint32_t i = 0; i < k; i++) {
                Bytes &d = data[i];
                const uint16_t seq = static_cast<uint16_t>(sequence + i);
                put32le(&d[16], uint32_t{seq} << 8);
                d[24] = static_cast<uint8_t>(0x01 | (i == 0 ? 0x04 : 0) | (i + 1 == k ? 0x02 : 0));
                d[26] = 0x10;
                std::memcpy(&d[32], &framed[size_t{shard + i} * s], s);
            }
            std::vector<Bytes> parity(m, Bytes(datagram_bytes, 0));
            if (m > 0) {
                std::vector<const uint8_t *> dp;
                std::vector<uint8_t *> pp;
                for (auto &d : data) dp.push_back(d.data());
                for (auto &q : parity) pp.push_back(q.data());
                rs->encode_cauchy(k, m, dp.data(), pp.data(), datagram_bytes);
            }
            for (uint32_t x = 0; x < k + m; x++) {
                Bytes &d = x < k ? data[x] : parity[x - k];
                const uint16_t seq = static_cast<uint16_t>(sequence + x);
                d[0] = 0x90;
                d[1] = 0;
                d[2] = static_cast<uint8_t>(seq >> 8);
                d[3] = static_cast<uint8_t>(seq);
                d[4] = static_cast<uint8_t>(timestamp >> 24);
                d[5] = static_cast<uint8_t>(timestamp >> 16);
                d[6] = static_cast<uint8_t>(timestamp >> 8);
                d[7] = static_cast<uint8_t>(timestamp);
                std::memset(&d[8], 0, 8);
                put32le(&d[20], frame_index);
                d[27] = static_cast<uint8_t>((b << 4) | ((blocks - 1) << 6));
                put32le(&d[28], k << 22 | x << 12 | bp << 4);
                out.push_back(d);
            }
            sequence = static_cast<uint16_t>(sequence + k + m);
            shard += k;
        }
        timestamp += 1500;
        return out;
    }

    static void put32le(uint8_t *p, uint32_t v) {
        p[0] = static_cast<uint8_t>(v);
        p[1] = static_cast<uint8_t>(v >> 8);
        p[2] = static_cast<uint8_t>(v >> 16);
        p[3] = static_cast<uint8_t>(v >> 24);
    }
};

// An Annex-B-looking bitstream of `size` bytes (at least 8) ending in a non-zero byte: an IDR
// (SPS, PPS, IDR slice) or a P slice.
inline Bytes synthetic_bitstream(Prng &rng, size_t size, bool key, gsc::VideoCodec codec = gsc::VideoCodec::kH264) {
    Bytes b;
    auto nal = [&](uint8_t h264, uint8_t hevc_type, size_t len) {
        const uint8_t sc[] = {0, 0, 0, 1};
        b.insert(b.end(), sc, sc + 4);
        if (codec == gsc::VideoCodec::kH264) {
            b.push_back(h264);
        } else {
            b.push_back(static_cast<uint8_t>(hevc_type << 1));
            b.push_back(1);
        }
        for (size_t i = 0; i < len; i++) b.push_back(static_cast<uint8_t>(0x80 | rng.below(128)));
    };
    if (key) {
        if (codec == gsc::VideoCodec::kH265) nal(0, 32, 20);
        nal(0x67, 33, 12);
        nal(0x68, 34, 4);
        nal(0x65, 19, size > b.size() + 8 ? size - b.size() - 6 : 1);
    } else {
        nal(0x41, 1, size > 8 ? size - 6 : 1);
    }
    b.resize(size < b.size() ? b.size() : size, 0x55);
    return b;
}

}  // namespace video_test

#endif
