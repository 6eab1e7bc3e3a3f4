// Audio FEC, 4 data + 2 parity with the fixed rows of data-plane.md §3.3 (audio_fec.hpp):
// known answers from real Sunshine traffic, and every erasure pattern.
#include <cstring>
#include <map>
#include <memory>

#include "audio_fec.hpp"
#include "audio_packet.hpp"
#include "capture_reader.hpp"
#include "test_harness.hpp"

using gsc_test::Bytes;

namespace {

constexpr uint16_t kHostAudioPort = 48000;

const char *const kCaptureSessions[] = {
    "sunshine-0.23.1/dev-h264-720p60",
    "sunshine-0.23.1/dev-h265-720p60",
    "sunshine-2026.817/dev-h264-720p60",
    "sunshine-2026.817/dev-h265-720p60-encvideo",
};

std::unique_ptr<gsc::ReedSolomon> make_rs() {
    std::unique_ptr<gsc::ReedSolomon> rs(new gsc::ReedSolomon);
    rs->init();
    return rs;
}

// Deterministic filler, different per shard and byte.
uint8_t pattern(size_t shard, size_t x) { return static_cast<uint8_t>((shard * 131 + x * 29 + (x >> 3) * 7) ^ 0x5a); }

struct CaptureBlocks {
    // Data payloads by RTP sequence; parity payloads by (base sequence, shard index).
    std::map<uint16_t, Bytes> data;
    std::map<std::pair<uint16_t, uint8_t>, Bytes> parity;
};

bool load_capture_blocks(const std::string &session, CaptureBlocks &out) {
    std::vector<gsc_test::UdpDatagram> datagrams;
    if (!gsc_test::read_udp_datagrams(gsc_test::captures_dir() + "/" + session + "/capture.pcap", datagrams)) return false;
    for (const gsc_test::UdpDatagram &d : datagrams) {
        if (d.src_port != kHostAudioPort) continue;
        gsc::AudioPacket packet{};
        if (gsc::parse_audio_packet(d.payload.data(), d.payload.size(), packet) != gsc::AudioParseError::kNone) continue;
        const Bytes payload(packet.payload, packet.payload + packet.payload_size_bytes);
        if (packet.kind == gsc::AudioPacketKind::kData) {
            out.data[packet.sequence] = payload;
        } else {
            out.parity[{packet.fec_base_sequence, packet.fec_shard_index}] = payload;
        }
    }
    return true;
}

}  // namespace

TEST(audio_fec_parity_of_every_sunshine_fec_packet_is_regenerated_byte_for_byte) {
    const std::unique_ptr<gsc::ReedSolomon> rs = make_rs();
    for (const char *session : kCaptureSessions) {
        CaptureBlocks blocks;
        REQUIRE(load_capture_blocks(session, blocks));
        REQUIRE(blocks.parity.size() > 200);
        size_t checked = 0;
        for (const auto &entry : blocks.parity) {
            const uint16_t base = entry.first.first;
            REQUIRE_EQ(base % 4, 0);
            const uint8_t *data[gsc::kAudioFecDataShards];
            bool complete = true;
            for (uint16_t i = 0; i < gsc::kAudioFecDataShards; ++i) {
                const auto it = blocks.data.find(static_cast<uint16_t>(base + i));
                if (it == blocks.data.end() || it->second.size() != entry.second.size()) {
                    complete = false;
                    break;
                }
                data[i] = it->second.data();
            }
            REQUIRE(complete);
            Bytes parity0(entry.second.size()), parity1(entry.second.size());
            uint8_t *parity[] = {parity0.data(), parity1.data()};
            gsc::audio_fec_encode(*rs, data, entry.second.size(), parity);
            CHECK(gsc_test::to_hex(entry.first.second == 0 ? parity0 : parity1) == gsc_test::to_hex(entry.second));
            checked++;
        }
        CHECK_EQ(checked, blocks.parity.size());
    }
}

TEST(audio_fec_every_sunshine_block_is_rebuilt_from_its_two_parity_and_any_two_data_packets) {
    const std::unique_ptr<gsc::ReedSolomon> rs = make_rs();
    CaptureBlocks blocks;
    REQUIRE(load_capture_blocks(kCaptureSessions[0], blocks));
    size_t rebuilt = 0;
    for (const auto &entry : blocks.parity) {
        if (entry.first.second != 0) continue;
        const uint16_t base = entry.first.first;
        const auto other = blocks.parity.find({base, 1});
        REQUIRE(other != blocks.parity.end());
        const size_t size = entry.second.size();
        // Drop data shards (a, b); keep the other two and both parity shards.
        for (uint32_t a = 0; a < 4; ++a) {
            for (uint32_t b = a + 1; b < 4; ++b) {
                Bytes shards[gsc::kAudioFecTotalShards];
                for (uint16_t i = 0; i < 4; ++i) shards[i] = blocks.data[static_cast<uint16_t>(base + i)];
                shards[4] = entry.second;
                shards[5] = other->second;
                const Bytes expected_a = shards[a], expected_b = shards[b];
                std::memset(shards[a].data(), 0xee, size);
                std::memset(shards[b].data(), 0xee, size);
                uint8_t *pointers[gsc::kAudioFecTotalShards];
                for (size_t i = 0; i < gsc::kAudioFecTotalShards; ++i) pointers[i] = shards[i].data();
                const uint32_t present = 0x3fu & ~(1u << a) & ~(1u << b);
                REQUIRE(gsc::audio_fec_recover(*rs, pointers, present, size));
                CHECK(shards[a] == expected_a);
                CHECK(shards[b] == expected_b);
                rebuilt++;
            }
        }
    }
    CHECK(rebuilt > 1000);
}

TEST(audio_fec_any_four_of_six_shards_rebuild_the_data_for_every_erasure_pattern) {
    const std::unique_ptr<gsc::ReedSolomon> rs = make_rs();
    const size_t size = 61;  // odd, to cover the kernels' tails
    Bytes original[gsc::kAudioFecTotalShards];
    for (size_t i = 0; i < 4; ++i) {
        original[i].resize(size);
        for (size_t x = 0; x < size; ++x) original[i][x] = pattern(i, x);
    }
    original[4].resize(size);
    original[5].resize(size);
    const uint8_t *data[] = {original[0].data(), original[1].data(), original[2].data(), original[3].data()};
    uint8_t *parity[] = {original[4].data(), original[5].data()};
    gsc::audio_fec_encode(*rs, data, size, parity);

    int patterns = 0;
    for (uint32_t present = 0; present < 64; ++present) {
        uint32_t count = 0;
        for (uint32_t m = present; m != 0; m &= m - 1) count++;
        Bytes shards[gsc::kAudioFecTotalShards];
        uint8_t *pointers[gsc::kAudioFecTotalShards];
        for (size_t i = 0; i < gsc::kAudioFecTotalShards; ++i) {
            shards[i] = original[i];
            if (!(present & (1u << i))) std::memset(shards[i].data(), 0xcc, size);
            pointers[i] = shards[i].data();
        }
        const bool ok = gsc::audio_fec_recover(*rs, pointers, present, size);
        if (count < 4) {
            CHECK(!ok);
            // Nothing written: the missing data shards still hold the marker bytes.
            for (size_t i = 0; i < 4; ++i) {
                if (!(present & (1u << i))) CHECK(shards[i] == Bytes(size, 0xcc));
            }
            continue;
        }
        CHECK(ok);
        for (size_t i = 0; i < 4; ++i) CHECK(shards[i] == original[i]);
        patterns++;
    }
    CHECK_EQ(patterns, 22);  // C(6,4) + C(6,5) + C(6,6)
}
