// The audio receiver on real Sunshine traffic (audio_receiver.hpp): the three recorded
// sessions replayed as they arrived, with seeded loss that FEC repairs and loss it cannot,
// and reordering; the decoded PCM against libopus used directly and against the tones the
// sessions carried. Failures print the seed; GSC_AUDIO_TEST_SEED sets it again.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include <opus_multistream.h>

#include "audio_fec.hpp"
#include "audio_packet.hpp"
#include "audio_receiver.hpp"
#include "capture_reader.hpp"
#include "test_harness.hpp"

using gsc_test::Bytes;

namespace {

constexpr uint16_t kHostAudioPort = 48000;
constexpr uint32_t kSamplesPerPacket = 240;

struct Session {
    const char *folder;
    // keys.json
    const char *rikey_hex;
    int32_t rikeyid;
    // session.json: dumps_vs_capture.audio_first_record_rtp_seq, and audio.decoded_check
    uint16_t first_record_seq;
    double window_start_s;
    double window_end_s;
    double dominant_hz[2];
};

const Session kSessions[] = {
    {"sunshine-0.23.1/dev-h264-720p60", "38d75e873869d09f893a31e8145e47db", -659895338, 100, 1, 3, {774, 660}},
    {"sunshine-0.23.1/dev-h265-720p60", "dea5f358e13d62f4907594d629384258", -621405226, 100, 1, 3, {774, 660}},
    {"sunshine-2026.817/dev-h264-720p60", "f5ec232291c5b8b3b172680f0cfb0983", -321978540, 100, 1, 2.46, {725, 660}},
};

struct Recorded {
    std::vector<gsc_test::UdpDatagram> datagrams;  // host -> client, audio port only
    std::vector<Bytes> records;                    // audio.opus-records
};

bool load(const Session &session, Recorded &out) {
    const std::string dir = gsc_test::captures_dir() + "/" + session.folder;
    std::vector<gsc_test::UdpDatagram> all;
    if (!gsc_test::read_udp_datagrams(dir + "/capture.pcap", all)) return false;
    for (gsc_test::UdpDatagram &d : all) {
        if (d.src_port == kHostAudioPort) out.datagrams.push_back(std::move(d));
    }
    Bytes file;
    if (!gsc_test::read_file(dir + "/audio.opus-records", file)) return false;
    for (size_t at = 0; at + 4 <= file.size();) {
        const size_t size = file[at] | file[at + 1] << 8 | file[at + 2] << 16 | static_cast<size_t>(file[at + 3]) << 24;
        at += 4;
        if (at + size > file.size()) return false;
        out.records.emplace_back(file.begin() + static_cast<long>(at), file.begin() + static_cast<long>(at + size));
        at += size;
    }
    return !out.datagrams.empty() && !out.records.empty();
}

gsc::AudioReceiverConfig stereo_config(const Session &session) {
    gsc::AudioReceiverConfig config;
    (void)gsc::sunshine_audio_layout(2, false, config.layout);
    config.encrypted = true;
    const Bytes key = gsc_test::hex(session.rikey_hex);
    std::memcpy(config.key, key.data(), sizeof config.key);
    config.rikeyid = session.rikeyid;
    return config;
}

struct Frame {
    uint16_t sequence;
    bool concealed;
    bool recovered;
    Bytes opus;
    std::vector<int16_t> pcm;
};

void drain(gsc::AudioReceiver &receiver, std::vector<Frame> &frames) {
    gsc::AudioFrame f{};
    while (receiver.poll_frame(f)) {
        Frame frame{f.sequence, f.concealed, f.recovered, {}, {}};
        if (f.opus != nullptr) frame.opus.assign(f.opus, f.opus + f.opus_size_bytes);
        if (f.pcm != nullptr) frame.pcm.assign(f.pcm, f.pcm + f.samples_per_channel * f.channels);
        frames.push_back(std::move(frame));
    }
}

// splitmix64: small, seedable, the same everywhere.
struct Rng {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
};

uint64_t test_seed() {
    const char *text = std::getenv("GSC_AUDIO_TEST_SEED");
    return text == nullptr ? 20261121u : std::strtoull(text, nullptr, 10);
}

std::string seed_note(uint64_t seed) { return " (GSC_AUDIO_TEST_SEED=" + std::to_string(seed) + ")"; }

// FEC block of a datagram (RTP seq / 4 for data, base seq / 4 for parity), and its shard index.
bool block_and_shard(const Bytes &datagram, uint32_t &block, uint32_t &shard) {
    gsc::AudioPacket packet{};
    if (gsc::parse_audio_packet(datagram.data(), datagram.size(), packet) != gsc::AudioParseError::kNone) return false;
    if (packet.kind == gsc::AudioPacketKind::kData) {
        block = packet.sequence / 4u;
        shard = packet.sequence % 4u;
    } else {
        block = packet.fec_base_sequence / 4u;
        shard = 4u + packet.fec_shard_index;
    }
    return true;
}

// Feeds `datagrams` (those whose index is not in `dropped`) at their capture times.
std::vector<Frame> run(const gsc::AudioReceiverConfig &config, const std::vector<gsc_test::UdpDatagram> &datagrams,
                       const std::set<size_t> &dropped, gsc::AudioStats *stats_out = nullptr) {
    gsc::AudioReceiver receiver;
    std::vector<Frame> frames;
    if (receiver.init(config) != GSC_OK) return frames;
    for (size_t i = 0; i < datagrams.size(); ++i) {
        if (dropped.count(i) != 0) continue;
        receiver.receive(datagrams[i].payload.data(), datagrams[i].payload.size(), datagrams[i].time_us);
        drain(receiver, frames);
    }
    if (stats_out != nullptr) *stats_out = receiver.stats();
    return frames;
}

// Index of the frame with RTP sequence `sequence`, or frames.size().
size_t find_frame(const std::vector<Frame> &frames, uint16_t sequence) {
    for (size_t i = 0; i < frames.size(); ++i) {
        if (frames[i].sequence == sequence) return i;
    }
    return frames.size();
}

// Compares the frames from the first record's sequence on with the records; frames listed in
// `concealed_ok` may be concealment instead. Returns the number of mismatches.
int compare_with_records(const std::vector<Frame> &frames, const Session &session, const std::vector<Bytes> &records,
                         const std::set<uint16_t> &concealed_ok) {
    const size_t first = find_frame(frames, session.first_record_seq);
    if (first + records.size() > frames.size()) return -1;
    int mismatches = 0;
    for (size_t r = 0; r < records.size(); ++r) {
        const Frame &frame = frames[first + r];
        const uint16_t expected_seq = static_cast<uint16_t>(session.first_record_seq + r);
        if (frame.sequence != expected_seq) {
            mismatches++;
            continue;
        }
        if (concealed_ok.count(expected_seq) != 0) {
            if (!frame.concealed || !frame.opus.empty()) mismatches++;
        } else if (frame.concealed || frame.opus != records[r]) {
            mismatches++;
        }
        if (frame.pcm.size() != kSamplesPerPacket * 2) mismatches++;
    }
    return mismatches;
}

bool contiguous(const std::vector<Frame> &frames) {
    for (size_t i = 1; i < frames.size(); ++i) {
        if (frames[i].sequence != static_cast<uint16_t>(frames[i - 1].sequence + 1)) return false;
    }
    return true;
}

// Dominant frequency of one channel over [start_s, end_s) of interleaved stereo PCM: the
// largest bin of the FFT of the Hann-windowed samples, zero-padded to 2^17 (resolution
// 48000 / 2^17 = 0.37 Hz). The window matters for the left channel, a sweep: weighted to the
// middle of the span, as session.json's check was, it gives the sweep's frequency there.
double dominant_hz(const std::vector<int16_t> &pcm, size_t channel, double start_s, double end_s) {
    const size_t n = size_t{1} << 17;
    const size_t first = static_cast<size_t>(start_s * gsc::kAudioSampleRateHz);
    const size_t last = std::min(static_cast<size_t>(end_s * gsc::kAudioSampleRateHz), pcm.size() / 2);
    std::vector<std::complex<double>> a(n);
    const double span = static_cast<double>(last - first);
    for (size_t i = first; i < last && i - first < n; ++i) {
        const double hann = 0.5 - 0.5 * std::cos(2 * 3.14159265358979323846 * static_cast<double>(i - first) / span);
        a[i - first] = hann * pcm[i * 2 + channel];
    }
    for (size_t i = 1, j = 0; i < n; ++i) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        const double angle = -2 * 3.14159265358979323846 / static_cast<double>(len);
        const std::complex<double> step(std::cos(angle), std::sin(angle));
        for (size_t i = 0; i < n; i += len) {
            std::complex<double> w(1);
            for (size_t k = 0; k < len / 2; ++k) {
                const std::complex<double> u = a[i + k], v = a[i + k + len / 2] * w;
                a[i + k] = u + v;
                a[i + k + len / 2] = u - v;
                w *= step;
            }
        }
    }
    size_t best = 1;
    for (size_t k = 2; k < n / 2; ++k) {
        if (std::abs(a[k]) > std::abs(a[best])) best = k;
    }
    return static_cast<double>(best) * gsc::kAudioSampleRateHz / static_cast<double>(n);
}

}  // namespace

TEST(audio_receiver_replays_each_sunshine_session_into_the_exact_opus_packets_moonlight_decoded) {
    for (const Session &session : kSessions) {
        Recorded rec;
        REQUIRE(load(session, rec));
        gsc::AudioStats stats{};
        const std::vector<Frame> frames = run(stereo_config(session), rec.datagrams, {}, &stats);
        CHECK(contiguous(frames));
        CHECK_EQ(frames.front().sequence, 0);
        CHECK_EQ(compare_with_records(frames, session, rec.records, {}), 0);
        CHECK_EQ(stats.datagrams, static_cast<uint32_t>(rec.datagrams.size()));
        CHECK_EQ(stats.data_packets + stats.fec_packets, stats.datagrams);
        CHECK_EQ(stats.frames, stats.data_packets);
        // No loss: every parity packet arrives after its block went out.
        CHECK_EQ(stats.fec_unused, stats.fec_packets);
        CHECK_EQ(stats.malformed + stats.lost + stats.concealed + stats.recovered + stats.late + stats.duplicates, 0u);
        CHECK_EQ(stats.decrypt_failures + stats.decode_failures + stats.overflowed + stats.skipped, 0u);
    }
}

TEST(audio_receiver_pcm_equals_libopus_decoding_the_records_directly_and_has_the_sessions_tones) {
    for (const Session &session : kSessions) {
        Recorded rec;
        REQUIRE(load(session, rec));
        // Both decoders start at the first record, as the reference client's did: Opus's
        // decoder state depends on every packet before.
        gsc::AudioReceiverConfig config = stereo_config(session);
        config.initial_discard_packets = session.first_record_seq;
        const std::vector<Frame> frames = run(config, rec.datagrams, {});
        const size_t first = find_frame(frames, session.first_record_seq);
        REQUIRE_EQ(first, size_t{0});
        REQUIRE(rec.records.size() <= frames.size());

        // Reference: libopus itself, fed the records.
        int error = 0;
        const unsigned char mapping[] = {0, 1};
        OpusMSDecoder *reference = opus_multistream_decoder_create(48000, 2, 1, 1, mapping, &error);
        REQUIRE(reference != nullptr);
        std::vector<int16_t> ours, theirs;
        size_t differing_packets = 0;
        for (size_t r = 0; r < rec.records.size(); ++r) {
            int16_t pcm[kSamplesPerPacket * 2];
            const int samples = opus_multistream_decode(reference, rec.records[r].data(),
                                                        static_cast<opus_int32>(rec.records[r].size()), pcm, kSamplesPerPacket, 0);
            REQUIRE_EQ(samples, static_cast<int>(kSamplesPerPacket));
            theirs.insert(theirs.end(), pcm, pcm + kSamplesPerPacket * 2);
            const std::vector<int16_t> &mine = frames[first + r].pcm;
            ours.insert(ours.end(), mine.begin(), mine.end());
            if (mine.size() != kSamplesPerPacket * 2 || !std::equal(mine.begin(), mine.end(), pcm)) differing_packets++;
        }
        opus_multistream_decoder_destroy(reference);
        CHECK_EQ(differing_packets, size_t{0});

        for (size_t channel = 0; channel < 2; ++channel) {
            const double hz = dominant_hz(ours, channel, session.window_start_s, session.window_end_s);
            if (std::abs(hz - session.dominant_hz[channel]) > 2.0) {
                ::gsc_test::report_failure(__FILE__, __LINE__,
                                           std::string(session.folder) + " channel " + std::to_string(channel) +
                                               ": dominant " + std::to_string(hz) + " Hz");
            }
        }
    }
}

namespace {

// The datagram indices of each FEC block that is complete in the capture (4 data + 2
// parity), skipping the first two blocks (the first packet places the window, so losses there
// change where output starts) and the last two (a loss there waits for packets that never come).
std::vector<std::vector<size_t>> complete_blocks(const std::vector<gsc_test::UdpDatagram> &datagrams) {
    std::vector<std::vector<size_t>> by_block;
    for (size_t i = 0; i < datagrams.size(); ++i) {
        uint32_t block = 0, shard = 0;
        if (!block_and_shard(datagrams[i].payload, block, shard)) continue;
        if (by_block.size() <= block) by_block.resize(block + 1);
        by_block[block].push_back(i);
    }
    std::vector<std::vector<size_t>> out;
    for (size_t b = 2; b + 2 < by_block.size(); ++b) {
        if (by_block[b].size() == gsc::kAudioFecTotalShards) out.push_back(by_block[b]);
    }
    return out;
}

bool is_data(const gsc_test::UdpDatagram &d) { return d.payload.size() > 1 && (d.payload[1] & 0x7f) == 97; }

uint16_t sequence_of(const gsc_test::UdpDatagram &d) { return static_cast<uint16_t>(d.payload[2] << 8 | d.payload[3]); }

// Drops `count` distinct shards of `block` at random.
void drop_some(Rng &rng, const std::vector<size_t> &block, uint32_t count, std::set<size_t> &dropped) {
    std::vector<size_t> left = block;
    for (uint32_t k = 0; k < count && !left.empty(); ++k) {
        const size_t pick = rng.below(static_cast<uint32_t>(left.size()));
        dropped.insert(left[pick]);
        left.erase(left.begin() + static_cast<long>(pick));
    }
}

}  // namespace

TEST(audio_receiver_with_up_to_two_of_six_packets_lost_per_block_fec_keeps_the_records_exact) {
    const uint64_t seed = test_seed();
    for (const Session &session : kSessions) {
        Recorded rec;
        REQUIRE(load(session, rec));
        Rng rng{seed};
        std::set<size_t> dropped;
        uint32_t dropped_data = 0;
        for (const std::vector<size_t> &block : complete_blocks(rec.datagrams)) {
            drop_some(rng, block, rng.below(4) == 0 ? 0 : 1 + rng.below(2), dropped);
        }
        for (size_t i : dropped) dropped_data += is_data(rec.datagrams[i]) ? 1 : 0;
        gsc::AudioStats stats{};
        const std::vector<Frame> frames = run(stereo_config(session), rec.datagrams, dropped, &stats);
        const int mismatches = compare_with_records(frames, session, rec.records, {});
        if (mismatches != 0) ::gsc_test::report_failure(__FILE__, __LINE__, session.folder + seed_note(seed));
        CHECK(contiguous(frames));
        CHECK(dropped_data > 50);
        CHECK_EQ(stats.recovered, dropped_data);
        CHECK_EQ(stats.lost + stats.concealed, 0u);
    }
}

TEST(audio_receiver_beyond_fec_conceals_exactly_the_unrecoverable_packets_and_keeps_the_timeline) {
    const uint64_t seed = test_seed();
    for (const Session &session : kSessions) {
        Recorded rec;
        REQUIRE(load(session, rec));
        Rng rng{seed ^ 0x5eed};
        std::set<size_t> dropped;
        std::set<uint16_t> unrecoverable;
        for (const std::vector<size_t> &block : complete_blocks(rec.datagrams)) {
            const uint32_t roll = rng.below(10);
            std::set<size_t> block_drops;
            drop_some(rng, block, roll < 6 ? roll / 3 : roll < 9 ? 3 : 6, block_drops);
            for (size_t i : block_drops) {
                if (block_drops.size() > gsc::kAudioFecParityShards && is_data(rec.datagrams[i])) {
                    unrecoverable.insert(sequence_of(rec.datagrams[i]));
                }
            }
            dropped.insert(block_drops.begin(), block_drops.end());
        }
        gsc::AudioStats stats{};
        const std::vector<Frame> frames = run(stereo_config(session), rec.datagrams, dropped, &stats);
        if (compare_with_records(frames, session, rec.records, unrecoverable) != 0) {
            ::gsc_test::report_failure(__FILE__, __LINE__, session.folder + seed_note(seed));
        }
        CHECK(contiguous(frames));
        CHECK(unrecoverable.size() > 50);
        CHECK_EQ(stats.lost, static_cast<uint32_t>(unrecoverable.size()));
        CHECK_EQ(stats.concealed, stats.lost);
        // The timeline: one packet's worth of samples for every sequence number, lost or not.
        size_t samples = 0;
        for (const Frame &f : frames) samples += f.pcm.size() / 2;
        CHECK_EQ(samples, frames.size() * kSamplesPerPacket);
        CHECK_EQ(frames.size(), static_cast<size_t>(frames.back().sequence) + 1);
    }
}

TEST(audio_receiver_waits_for_reordered_packets_once_it_has_seen_one_arrive_late) {
    // No parity at all (so nothing is rebuilt), and in every 8th block the third data packet
    // arrives five packets late, after the next block started. The first time, the receiver
    // has never seen reordering and gives the packet up; afterwards it waits for it.
    const Session &session = kSessions[0];
    Recorded rec;
    REQUIRE(load(session, rec));
    std::vector<size_t> order;
    for (size_t i = 0; i < rec.datagrams.size(); ++i) {
        if (is_data(rec.datagrams[i])) order.push_back(i);
    }
    std::set<uint16_t> delayed;
    for (size_t p = 8 * 4 + 2; p + 5 < order.size(); p += 8 * 4) {
        delayed.insert(sequence_of(rec.datagrams[order[p]]));
        const size_t moved = order[p];
        order.erase(order.begin() + static_cast<long>(p));
        order.insert(order.begin() + static_cast<long>(p + 5), moved);
    }
    gsc::AudioReceiverConfig config = stereo_config(session);
    config.reorder_wait_us = 50000;
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(config), GSC_OK);
    std::vector<Frame> frames;
    // Arrival times stay in capture order: a moved packet takes the time of the slot it fills.
    std::vector<uint64_t> times;
    for (size_t i = 0; i < rec.datagrams.size(); ++i) {
        if (is_data(rec.datagrams[i])) times.push_back(rec.datagrams[i].time_us);
    }
    for (size_t k = 0; k < order.size(); ++k) {
        const gsc_test::UdpDatagram &d = rec.datagrams[order[k]];
        receiver.receive(d.payload.data(), d.payload.size(), times[k]);
        drain(receiver, frames);
    }
    const uint16_t first_delayed = *delayed.begin();
    CHECK(compare_with_records(frames, session, rec.records, {first_delayed}) == 0);
    CHECK(contiguous(frames));
    CHECK_EQ(receiver.stats().lost, 1u);
    CHECK_EQ(receiver.stats().late, 1u);
    CHECK(delayed.size() > 15);
}

TEST(audio_receiver_duplicated_datagrams_change_nothing_in_the_output) {
    const Session &session = kSessions[1];
    Recorded rec;
    REQUIRE(load(session, rec));
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(stereo_config(session)), GSC_OK);
    std::vector<Frame> frames;
    uint32_t duplicated_data = 0;
    for (size_t i = 0; i < rec.datagrams.size(); ++i) {
        const gsc_test::UdpDatagram &d = rec.datagrams[i];
        const int copies = i % 7 == 3 ? 2 : 1;
        for (int c = 0; c < copies; ++c) {
            receiver.receive(d.payload.data(), d.payload.size(), d.time_us);
            drain(receiver, frames);
        }
        if (copies == 2 && is_data(d)) duplicated_data++;
    }
    CHECK_EQ(compare_with_records(frames, session, rec.records, {}), 0);
    CHECK(contiguous(frames));
    // A copy of a packet whose block already went out cannot be told from a late packet.
    CHECK_EQ(receiver.stats().duplicates + receiver.stats().late, duplicated_data);
    CHECK_EQ(receiver.stats().concealed, 0u);
}

TEST(audio_receiver_initial_discard_starts_output_where_moonlight_did) {
    // Moonlight drops the first 500 ms, 100 packets (§3.5): its first record is seq 100.
    for (const Session &session : kSessions) {
        Recorded rec;
        REQUIRE(load(session, rec));
        gsc::AudioReceiverConfig config = stereo_config(session);
        config.initial_discard_packets = 100;
        gsc::AudioStats stats{};
        const std::vector<Frame> frames = run(config, rec.datagrams, {}, &stats);
        REQUIRE(!frames.empty());
        CHECK_EQ(frames.front().sequence, session.first_record_seq);
        CHECK_EQ(compare_with_records(frames, session, rec.records, {}), 0);
        CHECK_EQ(stats.discarded, 100u);
        CHECK_EQ(stats.late, 0u);
    }
}

TEST(audio_receiver_without_pcm_decoding_outputs_the_same_opus_packets) {
    const Session &session = kSessions[2];
    Recorded rec;
    REQUIRE(load(session, rec));
    gsc::AudioReceiverConfig config = stereo_config(session);
    config.decode_pcm = false;
    const std::vector<Frame> frames = run(config, rec.datagrams, {});
    const size_t first = find_frame(frames, session.first_record_seq);
    REQUIRE(first + rec.records.size() <= frames.size());
    for (size_t r = 0; r < rec.records.size(); ++r) {
        CHECK(frames[first + r].opus == rec.records[r]);
        CHECK(frames[first + r].pcm.empty());
    }
}
