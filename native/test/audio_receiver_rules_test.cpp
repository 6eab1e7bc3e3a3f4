// The audio receiver's rules on synthetic streams (audio_receiver.hpp): a small in-test host
// packetizes like Sunshine (§3.1, §3.3, §3.4), and each test shapes the arrivals to hit one
// rule: pauses, deadlines, window jumps, restarts, queue overflow, bad packets, surround PCM.
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include <bearssl_block.h>
#include <opus_multistream.h>

#include "audio_fec.hpp"
#include "audio_receiver.hpp"
#include "test_harness.hpp"

using gsc_test::Bytes;

namespace {

constexpr uint64_t kPacketUs = 5000;
constexpr double kPi = 3.14159265358979323846;
const uint8_t kKey[16] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};
constexpr int32_t kRikeyid = -123456789;

void put_be16(Bytes &out, uint32_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

void put_be32(Bytes &out, uint32_t v) {
    put_be16(out, v >> 16);
    put_be16(out, v & 0xffff);
}

// Packetizes Opus packets as Sunshine does: RTP PT 97, seq and millisecond timestamp from 0;
// AES-CBC with PKCS#7 when encrypted; after each 4th data packet, two PT 127 parity packets.
struct MiniHost {
    bool encrypted = false;
    uint16_t seq = 0;
    uint32_t timestamp_ms = 0;
    std::unique_ptr<gsc::ReedSolomon> rs{new gsc::ReedSolomon};
    std::vector<Bytes> block;
    uint32_t block_timestamp_ms = 0;

    MiniHost() { rs->init(); }

    Bytes encrypt(Bytes plain, uint16_t sequence) const {
        const size_t pad = 16 - plain.size() % 16;
        plain.insert(plain.end(), pad, static_cast<uint8_t>(pad));
        br_aes_ct_cbcenc_keys keys;
        br_aes_ct_cbcenc_init(&keys, kKey, sizeof kKey);
        const uint32_t word = static_cast<uint32_t>(kRikeyid) + sequence;
        uint8_t iv[16] = {static_cast<uint8_t>(word >> 24), static_cast<uint8_t>(word >> 16),
                          static_cast<uint8_t>(word >> 8), static_cast<uint8_t>(word)};
        br_aes_ct_cbcenc_run(&keys, iv, plain.data(), plain.size());
        return plain;
    }

    // Appends the datagrams one Opus packet produces to `out`.
    void send(const Bytes &opus, std::vector<Bytes> &out) {
        if (block.empty()) block_timestamp_ms = timestamp_ms;
        Bytes payload = encrypted ? encrypt(opus, seq) : opus;
        Bytes datagram = {0x80, 97};
        put_be16(datagram, seq);
        put_be32(datagram, timestamp_ms);
        put_be32(datagram, 0);
        datagram.insert(datagram.end(), payload.begin(), payload.end());
        out.push_back(datagram);
        block.push_back(payload);
        seq++;
        timestamp_ms += 5;
        if (block.size() < gsc::kAudioFecDataShards) return;
        const size_t size = block.back().size();
        const uint8_t *data[4] = {block[0].data(), block[1].data(), block[2].data(), block[3].data()};
        Bytes parity0(size), parity1(size);
        uint8_t *parity[2] = {parity0.data(), parity1.data()};
        gsc::audio_fec_encode(*rs, data, size, parity);
        for (uint32_t j = 0; j < 2; ++j) {
            Bytes fec = {0x80, 127};
            put_be16(fec, static_cast<uint16_t>(seq + j));
            put_be32(fec, 0);
            put_be32(fec, 0);
            fec.push_back(static_cast<uint8_t>(j));
            fec.push_back(97);
            put_be16(fec, static_cast<uint16_t>(seq - 4));
            put_be32(fec, block_timestamp_ms);
            put_be32(fec, 0);
            const Bytes &p = j == 0 ? parity0 : parity1;
            fec.insert(fec.end(), p.begin(), p.end());
            out.push_back(fec);
        }
        block.clear();
    }
};

// An 8-byte stand-in for an Opus packet that names its sequence number (with decode_pcm off
// nothing decodes it).
Bytes marker(uint16_t sequence) { return {0x4d, 0x4b, static_cast<uint8_t>(sequence >> 8), static_cast<uint8_t>(sequence), 1, 2, 3, 4}; }

gsc::AudioReceiverConfig marker_config() {
    gsc::AudioReceiverConfig config;
    (void)gsc::sunshine_audio_layout(2, false, config.layout);
    config.encrypted = false;
    config.decode_pcm = false;
    return config;
}

// Data packet `sequence` of a stream whose datagrams are laid out by MiniHost from seq 0:
// six datagrams per block, data first.
size_t data_index(uint16_t sequence) { return (sequence / 4u) * 6u + sequence % 4u; }
size_t parity_index(uint16_t block, uint32_t j) { return block * 6u + 4u + j; }

std::vector<Bytes> marker_stream(size_t packets, uint16_t first_seq = 0) {
    MiniHost host;
    host.seq = first_seq;
    std::vector<Bytes> out;
    for (size_t i = 0; i < packets; ++i) host.send(marker(static_cast<uint16_t>(first_seq + i)), out);
    return out;
}

struct Out {
    std::vector<uint16_t> sequences;
    std::vector<bool> concealed;
};

void drain(gsc::AudioReceiver &receiver, Out &out) {
    gsc::AudioFrame frame{};
    while (receiver.poll_frame(frame)) {
        out.sequences.push_back(frame.sequence);
        out.concealed.push_back(frame.concealed);
        if (frame.opus != nullptr && frame.opus_size_bytes == 8 &&
            (frame.opus[2] << 8 | frame.opus[3]) != frame.sequence) {
            ::gsc_test::report_failure(__FILE__, __LINE__, "a frame carries another packet's bytes");
        }
    }
}

void feed(gsc::AudioReceiver &receiver, const Bytes &datagram, uint64_t now_us, Out &out) {
    receiver.receive(datagram.data(), datagram.size(), now_us);
    drain(receiver, out);
}

std::vector<uint16_t> range(uint16_t first, uint16_t last) {
    std::vector<uint16_t> out;
    for (uint32_t s = first; s <= last; ++s) out.push_back(static_cast<uint16_t>(s));
    return out;
}

}  // namespace

TEST(audio_receiver_rules_a_pause_in_the_stream_never_produces_concealment) {
    // Sunshine sends nothing during silence; a missing packet with nothing after it is not a loss yet.
    const std::vector<Bytes> stream = marker_stream(8);
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(marker_config()), GSC_OK);
    Out out;
    for (uint16_t s = 0; s < 6; ++s) {
        if (s != 5) feed(receiver, stream[data_index(s)], s * kPacketUs, out);
    }
    CHECK(out.sequences == range(0, 4));
    CHECK_EQ(receiver.next_deadline_us(), UINT64_MAX);
    receiver.handle_timeout(10 * 1000 * 1000);
    CHECK(out.sequences == range(0, 4));
    CHECK_EQ(receiver.stats().lost, 0u);
}

TEST(audio_receiver_rules_after_reordering_a_stalled_packet_is_given_up_at_the_deadline) {
    const std::vector<Bytes> stream = marker_stream(16);
    gsc::AudioReceiverConfig config = marker_config();
    config.reorder_wait_us = 12000;
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(config), GSC_OK);
    Out out;
    // 0, 2, 1, 3: packet 1 arrives late but in time, which makes the receiver patient.
    feed(receiver, stream[data_index(0)], 0, out);
    feed(receiver, stream[data_index(2)], 5000, out);
    feed(receiver, stream[data_index(1)], 6000, out);
    feed(receiver, stream[data_index(3)], 10000, out);
    CHECK(out.sequences == range(0, 3));
    // Block 1 loses packet 5 and both parity packets; packet 8 of block 2 arrives at 40 ms.
    feed(receiver, stream[data_index(4)], 20000, out);
    feed(receiver, stream[data_index(6)], 30000, out);
    feed(receiver, stream[data_index(7)], 35000, out);
    feed(receiver, stream[data_index(8)], 40000, out);
    CHECK(out.sequences == range(0, 4));
    CHECK_EQ(receiver.next_deadline_us(), uint64_t{52000});
    receiver.handle_timeout(51999);
    drain(receiver, out);
    CHECK(out.sequences == range(0, 4));
    receiver.handle_timeout(52000);
    drain(receiver, out);
    CHECK(out.sequences == range(0, 8));
    CHECK(out.concealed[5]);
    CHECK_EQ(receiver.stats().lost, 1u);
    CHECK_EQ(receiver.next_deadline_us(), UINT64_MAX);
    // Twice is harmless.
    receiver.handle_timeout(52000);
    drain(receiver, out);
    CHECK_EQ(out.sequences.size(), size_t{9});
}

TEST(audio_receiver_rules_a_packet_arriving_before_the_deadline_is_output_in_place) {
    const std::vector<Bytes> stream = marker_stream(16);
    gsc::AudioReceiverConfig config = marker_config();
    config.reorder_wait_us = 12000;
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(config), GSC_OK);
    Out out;
    feed(receiver, stream[data_index(0)], 0, out);
    feed(receiver, stream[data_index(2)], 5000, out);
    feed(receiver, stream[data_index(1)], 6000, out);
    feed(receiver, stream[data_index(3)], 10000, out);
    feed(receiver, stream[data_index(4)], 20000, out);
    feed(receiver, stream[data_index(6)], 30000, out);
    feed(receiver, stream[data_index(8)], 40000, out);
    feed(receiver, stream[data_index(5)], 45000, out);
    feed(receiver, stream[data_index(7)], 46000, out);
    CHECK(out.sequences == range(0, 8));
    CHECK_EQ(receiver.stats().lost, 0u);
}

TEST(audio_receiver_rules_a_wholly_lost_block_is_concealed_when_the_next_one_arrives) {
    const std::vector<Bytes> stream = marker_stream(12);
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(marker_config()), GSC_OK);
    Out out;
    for (size_t i = 0; i < stream.size(); ++i) {
        if (i >= 6 && i < 12) continue;  // block 1: four data and two parity packets
        feed(receiver, stream[i], i * kPacketUs, out);
    }
    CHECK(out.sequences == range(0, 11));
    for (uint16_t s = 0; s < 12; ++s) CHECK_EQ(out.concealed[s], s >= 4 && s < 8);
    CHECK_EQ(receiver.stats().lost, 4u);
}

TEST(audio_receiver_rules_a_jump_within_two_windows_conceals_the_gap_and_a_longer_one_restarts) {
    gsc::AudioReceiverConfig config = marker_config();
    config.window_blocks = 4;
    {
        // Block 0, then block 6 (6 >= 4 = window, < 8): blocks 1-5 are concealed.
        const std::vector<Bytes> stream = marker_stream(28);
        gsc::AudioReceiver receiver;
        REQUIRE_EQ(receiver.init(config), GSC_OK);
        Out out;
        for (uint16_t s = 0; s < 4; ++s) feed(receiver, stream[data_index(s)], s * kPacketUs, out);
        feed(receiver, stream[data_index(24)], 100000, out);
        CHECK(out.sequences == range(0, 24));
        CHECK_EQ(receiver.stats().lost, 20u);
        CHECK_EQ(receiver.stats().skipped, 0u);
    }
    {
        // Block 0, then block 100: a restart; nothing concealed, 396 packets skipped.
        const std::vector<Bytes> stream = marker_stream(404);
        gsc::AudioReceiver receiver;
        REQUIRE_EQ(receiver.init(config), GSC_OK);
        Out out;
        for (uint16_t s = 0; s < 3; ++s) feed(receiver, stream[data_index(s)], s * kPacketUs, out);
        for (uint16_t s = 400; s < 404; ++s) feed(receiver, stream[data_index(s)], s * kPacketUs, out);
        std::vector<uint16_t> expected = range(0, 3);
        const std::vector<uint16_t> after = range(400, 403);
        expected.insert(expected.end(), after.begin(), after.end());
        CHECK(out.sequences == expected);
        CHECK_EQ(receiver.stats().lost, 1u);  // packet 3, held in block 0 when the jump came
        CHECK_EQ(receiver.stats().skipped, 396u);
    }
}

TEST(audio_receiver_rules_sequence_numbers_wrap_around_without_a_gap) {
    const std::vector<Bytes> stream = marker_stream(16, 65528);
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(marker_config()), GSC_OK);
    Out out;
    for (size_t i = 0; i < stream.size(); ++i) {
        if (i == data_index(2) || i == data_index(9)) continue;  // 65530 and 1, both rebuilt by FEC
        feed(receiver, stream[i], i * kPacketUs, out);
    }
    std::vector<uint16_t> expected = range(65528, 65535);
    const std::vector<uint16_t> after = range(0, 7);
    expected.insert(expected.end(), after.begin(), after.end());
    CHECK(out.sequences == expected);
    CHECK_EQ(receiver.stats().recovered, 2u);
    CHECK_EQ(receiver.stats().lost, 0u);
}

TEST(audio_receiver_rules_the_ready_queue_drops_its_oldest_frames_when_nobody_polls) {
    gsc::AudioReceiverConfig config = marker_config();
    config.window_blocks = 2;  // ready queue: 2 windows of 2 blocks = 16 frames
    const std::vector<Bytes> stream = marker_stream(40);
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(config), GSC_OK);
    for (uint16_t s = 0; s < 40; ++s) receiver.receive(stream[data_index(s)].data(), stream[data_index(s)].size(), s);
    Out out;
    drain(receiver, out);
    CHECK(out.sequences == range(24, 39));
    CHECK_EQ(receiver.stats().overflowed, 24u);
}

TEST(audio_receiver_rules_malformed_and_oversized_datagrams_are_dropped_and_counted) {
    gsc::AudioReceiverConfig config = marker_config();
    config.max_packet_size_bytes = 100;
    const std::vector<Bytes> stream = marker_stream(8);
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(config), GSC_OK);
    Out out;
    Bytes oversized = stream[0];
    oversized.resize(101, 0);
    const Bytes junk[] = {Bytes(), Bytes{0x80}, Bytes{0x80, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, oversized};
    for (const Bytes &j : junk) feed(receiver, j, 0, out);
    receiver.receive(nullptr, 12, 0);
    // A parity packet whose block is not aligned on 4 (§3.3) is not malformed, only unusable.
    for (const Bytes &d : stream) feed(receiver, d, 0, out);
    Bytes unaligned = stream[parity_index(1, 0)];
    unaligned[15] = 5;
    feed(receiver, unaligned, 0, out);
    // Exactly the limit is accepted: packet 8 padded to 100 bytes.
    Bytes at_limit = marker_stream(9)[data_index(8)];
    at_limit.resize(100, 0);
    feed(receiver, at_limit, 0, out);
    CHECK(out.sequences == range(0, 8));
    const gsc::AudioStats &stats = receiver.stats();
    CHECK_EQ(stats.malformed, 5u);
    CHECK_EQ(stats.datagrams, stats.data_packets + stats.fec_packets + stats.malformed);
    CHECK_EQ(stats.fec_unused, 5u);  // the unaligned one, and all four of the loss-free stream
}

TEST(audio_receiver_rules_a_block_with_unequal_shard_sizes_is_not_rebuilt_but_concealed) {
    MiniHost host;
    std::vector<Bytes> stream;
    for (uint16_t s = 0; s < 8; ++s) {
        Bytes packet = marker(s);
        if (s == 1) packet.push_back(0);  // 9 bytes among 8-byte packets
        host.send(packet, stream);
    }
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(marker_config()), GSC_OK);
    Out out;
    for (size_t i = 0; i < stream.size(); ++i) {
        if (i != data_index(2)) feed(receiver, stream[i], i * kPacketUs, out);
    }
    CHECK(out.sequences == range(0, 7));
    CHECK(out.concealed[2]);
    CHECK_EQ(receiver.stats().fec_size_mismatch, 1u);
    CHECK_EQ(receiver.stats().recovered, 0u);
}

TEST(audio_receiver_rules_undecryptable_and_undecodable_packets_become_concealment) {
    gsc::AudioReceiverConfig config;
    REQUIRE(gsc::sunshine_audio_layout(2, false, config.layout));
    std::memcpy(config.key, kKey, sizeof kKey);
    config.rikeyid = kRikeyid;
    MiniHost host;
    host.encrypted = true;
    std::vector<Bytes> stream;
    const Bytes not_opus = {0xff, 0xff, 0xff};  // code 3 with a frame count of 63: invalid
    for (uint16_t s = 0; s < 4; ++s) host.send(not_opus, stream);
    stream[data_index(1)].back() ^= 0x40;  // garbles the padding of packet 1
    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(config), GSC_OK);
    gsc::AudioFrame frame{};
    size_t frames = 0;
    for (const Bytes &d : stream) {
        receiver.receive(d.data(), d.size(), 0);
        while (receiver.poll_frame(frame)) {
            CHECK(frame.concealed);
            CHECK_EQ(frame.samples_per_channel, 240u);
            CHECK(frame.pcm != nullptr);
            CHECK_EQ(frame.opus == nullptr, frame.sequence == 1);
            frames++;
        }
    }
    CHECK_EQ(frames, size_t{4});
    CHECK_EQ(receiver.stats().decrypt_failures, 1u);
    CHECK_EQ(receiver.stats().decode_failures, 3u);
    CHECK_EQ(receiver.stats().concealed, 4u);
}

TEST(audio_receiver_rules_init_refuses_configs_out_of_range) {
    struct ConfigCase {
        const char *name;
        void (*change)(gsc::AudioReceiverConfig &);
    };
    const ConfigCase cases[] = {
        {"packet size below the minimum", [](gsc::AudioReceiverConfig &c) { c.max_packet_size_bytes = 63; }},
        {"packet size above the maximum", [](gsc::AudioReceiverConfig &c) { c.max_packet_size_bytes = 2049; }},
        {"window of one block", [](gsc::AudioReceiverConfig &c) { c.window_blocks = 1; }},
        {"window above the maximum", [](gsc::AudioReceiverConfig &c) { c.window_blocks = 65; }},
        {"reorder wait above the maximum", [](gsc::AudioReceiverConfig &c) { c.reorder_wait_us = 1000001; }},
        {"initial discard above the maximum", [](gsc::AudioReceiverConfig &c) { c.initial_discard_packets = 401; }},
        {"no channels", [](gsc::AudioReceiverConfig &c) { c.layout.channels = 0; }},
        {"3 ms packets", [](gsc::AudioReceiverConfig &c) { c.samples_per_packet = 144; }},
    };
    for (const ConfigCase &c : cases) {
        gsc::AudioReceiverConfig config = marker_config();
        c.change(config);
        gsc::AudioReceiver receiver;
        if (receiver.init(config) != GSC_ERR_BAD_ARGUMENT) {
            ::gsc_test::report_failure(__FILE__, __LINE__, std::string("case '") + c.name + "' accepted");
        }
        // Unusable, but safe.
        const Bytes d = marker_stream(1)[0];
        receiver.receive(d.data(), d.size(), 0);
        gsc::AudioFrame frame{};
        CHECK(!receiver.poll_frame(frame));
    }
    gsc::AudioReceiverConfig limits = marker_config();
    limits.max_packet_size_bytes = 2048;
    limits.window_blocks = 64;
    limits.reorder_wait_us = 1000000;
    limits.initial_discard_packets = 400;
    gsc::AudioReceiver receiver;
    CHECK_EQ(receiver.init(limits), GSC_OK);
    CHECK_EQ(receiver.init(limits), GSC_ERR_BAD_STATE);
}

TEST(audio_receiver_rules_two_receivers_share_nothing) {
    // Interleaved calls on two receivers give each the output it gives alone.
    const std::vector<Bytes> a = marker_stream(40);
    const std::vector<Bytes> b = marker_stream(40, 1000);
    gsc::AudioReceiver alone, first, second;
    REQUIRE_EQ(alone.init(marker_config()), GSC_OK);
    REQUIRE_EQ(first.init(marker_config()), GSC_OK);
    REQUIRE_EQ(second.init(marker_config()), GSC_OK);
    Out out_alone, out_first, out_second;
    for (size_t i = 0; i < a.size(); ++i) {
        if (i % 5 == 1) continue;
        feed(alone, a[i], i * kPacketUs, out_alone);
        feed(first, a[i], i * kPacketUs, out_first);
        if (i % 3 != 0) feed(second, b[i], i * kPacketUs, out_second);
    }
    CHECK(out_first.sequences == out_alone.sequences);
    CHECK(out_first.concealed == out_alone.concealed);
    CHECK(std::memcmp(&first.stats(), &alone.stats(), sizeof(gsc::AudioStats)) == 0);
    CHECK(out_alone.sequences == range(0, 39));
}

TEST(audio_receiver_rules_encrypted_5_1_with_fec_repairs_keeps_each_tone_in_its_channel) {
    // Sunshine's 5.1 (4 streams, 2 coupled, 256 kbit/s CBR, identity encoder mapping, §3.2),
    // one tone per channel, encrypted, one of six packets lost per block; decoded with the
    // layout sunshine_audio_layout() gives.
    const double tone_hz[6] = {300, 500, 700, 80, 1100, 1300};
    gsc::AudioReceiverConfig config;
    REQUIRE(gsc::sunshine_audio_layout(6, false, config.layout));
    std::memcpy(config.key, kKey, sizeof kKey);
    config.rikeyid = kRikeyid;
    int error = 0;
    OpusMSEncoder *encoder = opus_multistream_encoder_create(48000, 6, 4, 2, config.layout.mapping,
                                                             OPUS_APPLICATION_RESTRICTED_LOWDELAY, &error);
    REQUIRE(encoder != nullptr);
    (void)opus_multistream_encoder_ctl(encoder, OPUS_SET_BITRATE(256000));
    (void)opus_multistream_encoder_ctl(encoder, OPUS_SET_VBR(0));
    MiniHost host;
    host.encrypted = true;
    std::vector<Bytes> stream;
    const size_t packets = 80;
    std::vector<int16_t> pcm(240 * 6);
    for (size_t p = 0; p < packets; ++p) {
        for (size_t i = 0; i < 240; ++i) {
            const double t = static_cast<double>(p * 240 + i) / 48000;
            for (size_t c = 0; c < 6; ++c) pcm[i * 6 + c] = static_cast<int16_t>(8000 * std::sin(2 * kPi * tone_hz[c] * t));
        }
        Bytes packet(1400);
        const int size = opus_multistream_encode(encoder, pcm.data(), 240, packet.data(), 1400);
        REQUIRE(size > 0);
        packet.resize(static_cast<size_t>(size));
        host.send(packet, stream);
    }
    opus_multistream_encoder_destroy(encoder);

    gsc::AudioReceiver receiver;
    REQUIRE_EQ(receiver.init(config), GSC_OK);
    std::vector<int16_t> decoded;
    gsc::AudioFrame frame{};
    uint32_t dropped_data = 0;
    for (size_t i = 0; i < stream.size(); ++i) {
        // A different one of the six lost in each block after the first (whose first data
        // packet places the window).
        if (i >= 6 && i % 6 == (i / 6) % 6) {
            dropped_data += i % 6 < 4 ? 1 : 0;
            continue;
        }
        receiver.receive(stream[i].data(), stream[i].size(), i * kPacketUs);
        while (receiver.poll_frame(frame)) {
            CHECK(!frame.concealed);
            CHECK_EQ(frame.channels, 6);
            decoded.insert(decoded.end(), frame.pcm, frame.pcm + frame.samples_per_channel * 6);
        }
    }
    REQUIRE_EQ(decoded.size(), packets * 240 * 6);
    CHECK_EQ(receiver.stats().recovered, dropped_data);
    CHECK(dropped_data >= 10);
    // Goertzel over the last 200 ms: each channel's loudest tone is its own.
    const size_t window = 9600, first = decoded.size() / 6 - window;
    for (size_t c = 0; c < 6; ++c) {
        size_t loudest = 6;
        double best = 0;
        for (size_t t = 0; t < 6; ++t) {
            const double k = 2 * std::cos(2 * kPi * tone_hz[t] / 48000);
            double s1 = 0, s2 = 0;
            for (size_t i = 0; i < window; ++i) {
                const double s0 = decoded[(first + i) * 6 + c] + k * s1 - s2;
                s2 = s1;
                s1 = s0;
            }
            const double power = s1 * s1 + s2 * s2 - k * s1 * s2;
            if (power > best) {
                best = power;
                loudest = t;
            }
        }
        CHECK_EQ(loudest, c);
    }
}
