// Opus multistream decoding (audio_decoder.hpp): Sunshine's layouts, surround channel
// placement checked with one tone per channel through a real libopus encoder, concealment,
// and refused configurations.
#include <cmath>
#include <cstring>
#include <vector>

#include <opus_multistream.h>

#include "audio_decoder.hpp"
#include "test_harness.hpp"

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr uint32_t kPacketSamples = gsc::kAudioSamplesPer5Ms;
// One tone per output channel, FL FR C LFE BL BR SL SR: the frequencies of the 7.1 channel
// test against real Sunshine (data-plane.md §9.2).
constexpr double kChannelToneHz[gsc::kAudioMaxChannels] = {300, 500, 700, 80, 1100, 1300, 1700, 1900};

// Power of `frequency_hz` in channel `channel` of interleaved PCM (Goertzel).
double tone_power(const std::vector<int16_t> &pcm, uint8_t channels, uint8_t channel, size_t first_sample,
                  size_t sample_count, double frequency_hz) {
    const double coefficient = 2 * std::cos(2 * kPi * frequency_hz / gsc::kAudioSampleRateHz);
    double s1 = 0, s2 = 0;
    for (size_t i = 0; i < sample_count; ++i) {
        const double s0 = pcm[(first_sample + i) * channels + channel] + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

// Encodes `packets` packets of one tone per channel with the encoder layout `streams` /
// `coupled` / `encoder_mapping`, CBR at `bitrate`, as Sunshine's encoder is set up (§3.2).
std::vector<std::vector<uint8_t>> encode_tones(uint8_t channels, uint8_t streams, uint8_t coupled,
                                               const uint8_t *encoder_mapping, int bitrate, size_t packets) {
    int error = 0;
    OpusMSEncoder *encoder = opus_multistream_encoder_create(48000, channels, streams, coupled, encoder_mapping,
                                                             OPUS_APPLICATION_RESTRICTED_LOWDELAY, &error);
    std::vector<std::vector<uint8_t>> out;
    if (encoder == nullptr) return out;
    (void)opus_multistream_encoder_ctl(encoder, OPUS_SET_BITRATE(bitrate));
    (void)opus_multistream_encoder_ctl(encoder, OPUS_SET_VBR(0));
    std::vector<int16_t> pcm(kPacketSamples * channels);
    for (size_t p = 0; p < packets; ++p) {
        for (size_t i = 0; i < kPacketSamples; ++i) {
            const double t = static_cast<double>(p * kPacketSamples + i) / gsc::kAudioSampleRateHz;
            for (uint8_t c = 0; c < channels; ++c) {
                pcm[i * channels + c] = static_cast<int16_t>(8000 * std::sin(2 * kPi * kChannelToneHz[c] * t));
            }
        }
        std::vector<uint8_t> packet(1500);
        const int size = opus_multistream_encode(encoder, pcm.data(), kPacketSamples, packet.data(),
                                                 static_cast<opus_int32>(packet.size()));
        if (size <= 0) break;
        packet.resize(static_cast<size_t>(size));
        out.push_back(packet);
    }
    opus_multistream_encoder_destroy(encoder);
    return out;
}

// For each output channel, the index of the loudest of the channel tones over the last 200 ms.
std::vector<int> loudest_tone_per_channel(const std::vector<int16_t> &pcm, uint8_t channels) {
    const size_t window = gsc::kAudioSampleRateHz / 5;
    const size_t total = pcm.size() / channels;
    std::vector<int> loudest(channels, -1);
    for (uint8_t c = 0; c < channels; ++c) {
        double best = 0;
        for (uint8_t t = 0; t < channels; ++t) {
            const double power = tone_power(pcm, channels, c, total - window, window, kChannelToneHz[t]);
            if (power > best) {
                best = power;
                loudest[c] = t;
            }
        }
    }
    return loudest;
}

std::vector<int16_t> decode_all(gsc::AudioDecoder &decoder, const std::vector<std::vector<uint8_t>> &packets) {
    std::vector<int16_t> pcm;
    for (const std::vector<uint8_t> &packet : packets) {
        const uint32_t samples = decoder.decode(packet.data(), packet.size());
        if (samples != kPacketSamples) return {};
        pcm.insert(pcm.end(), decoder.pcm(), decoder.pcm() + samples * decoder.channels());
    }
    return pcm;
}

// Moonlight's reading of a `surround-params` line for normal-quality surround (§3.2): digits
// are channels, streams, coupled, mapping; the last mapping digit is moved to index 3.
std::vector<uint8_t> moonlight_mapping_from_surround_params(const char *digits) {
    const size_t channels = static_cast<size_t>(digits[0] - '0');
    std::vector<uint8_t> mapping;
    for (size_t i = 0; i < channels; ++i) mapping.push_back(static_cast<uint8_t>(digits[3 + i] - '0'));
    const uint8_t last = mapping.back();
    mapping.pop_back();
    mapping.insert(mapping.begin() + 3, last);
    return mapping;
}

struct SurroundCase {
    const char *name;
    uint8_t channels;
    bool high_quality;
    int bitrate;
};

// Sunshine's four surround layouts and bitrates (§3.2).
const SurroundCase kSurroundCases[] = {
    {"5.1", 6, false, 256000},
    {"5.1 high quality", 6, true, 1536000},
    {"7.1", 8, false, 450000},
    {"7.1 high quality", 8, true, 2048000},
};

}  // namespace

TEST(audio_decoder_sunshine_layouts_have_the_advertised_stream_counts_and_identity_mappings) {
    struct Expected {
        uint8_t channels;
        bool high_quality;
        uint8_t streams;
        uint8_t coupled;
    };
    const Expected expected[] = {{2, false, 1, 1}, {2, true, 1, 1}, {6, false, 4, 2},
                                 {6, true, 6, 0},  {8, false, 5, 3}, {8, true, 8, 0}};
    for (const Expected &e : expected) {
        gsc::AudioLayout layout{};
        REQUIRE(gsc::sunshine_audio_layout(e.channels, e.high_quality, layout));
        CHECK_EQ(layout.channels, e.channels);
        CHECK_EQ(layout.streams, e.streams);
        CHECK_EQ(layout.coupled_streams, e.coupled);
        for (uint8_t i = 0; i < e.channels; ++i) CHECK_EQ(layout.mapping[i], i);
    }
    gsc::AudioLayout layout{};
    CHECK(!gsc::sunshine_audio_layout(4, false, layout));
    CHECK(!gsc::sunshine_audio_layout(1, false, layout));
}

TEST(audio_decoder_moonlight_reading_of_sunshine_5_1_line_is_the_identity_but_not_for_7_1) {
    // Sunshine's DESCRIBE lines (§3.2, §9.1): for 5.1 Moonlight's fix-up lands on the identity
    // the helper uses; for 7.1 it does not, which §9.2 showed to swap SR, LFE and SL.
    const std::vector<uint8_t> five_one = moonlight_mapping_from_surround_params("642012453");
    CHECK(five_one == std::vector<uint8_t>({0, 1, 2, 3, 4, 5}));
    const std::vector<uint8_t> seven_one = moonlight_mapping_from_surround_params("85301245367");
    CHECK(seven_one == std::vector<uint8_t>({0, 1, 2, 7, 4, 5, 3, 6}));
}

TEST(audio_decoder_surround_tones_come_out_in_their_own_channels_for_every_sunshine_layout) {
    for (const SurroundCase &c : kSurroundCases) {
        gsc::AudioLayout layout{};
        REQUIRE(gsc::sunshine_audio_layout(c.channels, c.high_quality, layout));
        // Sunshine encodes with the identity mapping (§3.2).
        const std::vector<std::vector<uint8_t>> packets =
            encode_tones(layout.channels, layout.streams, layout.coupled_streams, layout.mapping, c.bitrate, 80);
        REQUIRE_EQ(packets.size(), size_t{80});
        gsc::AudioDecoder decoder;
        REQUIRE_EQ(decoder.init(layout, kPacketSamples), GSC_OK);
        const std::vector<int16_t> pcm = decode_all(decoder, packets);
        REQUIRE_EQ(pcm.size(), size_t{80} * kPacketSamples * layout.channels);
        const std::vector<int> loudest = loudest_tone_per_channel(pcm, layout.channels);
        for (uint8_t ch = 0; ch < layout.channels; ++ch) {
            if (loudest[ch] != ch) {
                ::gsc_test::report_failure(__FILE__, __LINE__,
                                           std::string(c.name) + ": output channel " + std::to_string(ch) +
                                               " carries the tone of channel " + std::to_string(loudest[ch]));
            }
        }
    }
}

TEST(audio_decoder_7_1_with_moonlight_mapping_puts_sr_in_lfe_lfe_in_sl_and_sl_in_sr) {
    // The swap §9.2 measured on real Sunshine, reproduced with a libopus encoder set up as
    // Sunshine's: the reason sunshine_audio_layout() uses the identity for 7.1.
    gsc::AudioLayout layout{};
    REQUIRE(gsc::sunshine_audio_layout(8, false, layout));
    const std::vector<std::vector<uint8_t>> packets =
        encode_tones(8, layout.streams, layout.coupled_streams, layout.mapping, 450000, 80);
    REQUIRE_EQ(packets.size(), size_t{80});
    const std::vector<uint8_t> moonlight = moonlight_mapping_from_surround_params("85301245367");
    std::memcpy(layout.mapping, moonlight.data(), 8);
    gsc::AudioDecoder decoder;
    REQUIRE_EQ(decoder.init(layout, kPacketSamples), GSC_OK);
    const std::vector<int> loudest = loudest_tone_per_channel(decode_all(decoder, packets), 8);
    CHECK(loudest == std::vector<int>({0, 1, 2, 7, 4, 5, 3, 6}));
}

TEST(audio_decoder_concealment_fills_one_packet_duration_and_a_refused_packet_decodes_to_zero) {
    gsc::AudioLayout layout{};
    REQUIRE(gsc::sunshine_audio_layout(6, false, layout));
    gsc::AudioDecoder decoder;
    REQUIRE_EQ(decoder.init(layout, gsc::kAudioSamplesPer10Ms), GSC_OK);
    CHECK_EQ(decoder.conceal(), gsc::kAudioSamplesPer10Ms);
    // A lone TOC byte cannot hold four streams (all but the last must be self-delimited).
    const uint8_t lone_toc[] = {0xec};
    CHECK_EQ(decoder.decode(lone_toc, sizeof lone_toc), 0u);
    CHECK_EQ(decoder.decode(nullptr, 0), 0u);
    CHECK_EQ(decoder.decode(lone_toc, 0), 0u);
    // Still usable afterwards.
    CHECK_EQ(decoder.conceal(), gsc::kAudioSamplesPer10Ms);
}

TEST(audio_decoder_a_packet_longer_than_the_negotiated_duration_is_refused) {
    // 10 ms of stereo into a decoder set up for 5 ms packets: libopus has no room for it.
    gsc::AudioLayout layout{};
    REQUIRE(gsc::sunshine_audio_layout(2, false, layout));
    int error = 0;
    OpusEncoder *encoder = opus_encoder_create(48000, 2, OPUS_APPLICATION_RESTRICTED_LOWDELAY, &error);
    REQUIRE(encoder != nullptr);
    std::vector<int16_t> silence(gsc::kAudioSamplesPer10Ms * 2);
    uint8_t packet[400];
    const int size = opus_encode(encoder, silence.data(), gsc::kAudioSamplesPer10Ms, packet, sizeof packet);
    opus_encoder_destroy(encoder);
    REQUIRE(size > 0);
    gsc::AudioDecoder decoder;
    REQUIRE_EQ(decoder.init(layout, gsc::kAudioSamplesPer5Ms), GSC_OK);
    CHECK_EQ(decoder.decode(packet, static_cast<size_t>(size)), 0u);
}

TEST(audio_decoder_init_table_refuses_layouts_and_durations_out_of_range) {
    struct InitCase {
        const char *name;
        gsc::AudioLayout layout;
        uint32_t samples;
        gsc_status expected;
    };
    const InitCase cases[] = {
        {"stereo 5 ms", {2, 1, 1, {0, 1}}, 240, GSC_OK},
        {"stereo 10 ms", {2, 1, 1, {0, 1}}, 480, GSC_OK},
        {"stereo 20 ms", {2, 1, 1, {0, 1}}, 960, GSC_OK},
        {"mono", {1, 1, 0, {0}}, 240, GSC_OK},
        {"silent channel (mapping 255)", {2, 1, 0, {0, 255}}, 240, GSC_OK},
        {"no channels", {0, 1, 1, {0}}, 240, GSC_ERR_BAD_ARGUMENT},
        {"nine channels", {9, 5, 4, {0, 1, 2, 3, 4, 5, 6, 7}}, 240, GSC_ERR_BAD_ARGUMENT},
        {"2.5 ms packets", {2, 1, 1, {0, 1}}, 120, GSC_ERR_BAD_ARGUMENT},
        {"7 ms packets", {2, 1, 1, {0, 1}}, 336, GSC_ERR_BAD_ARGUMENT},
        {"no streams", {2, 0, 0, {0, 1}}, 240, GSC_ERR_BAD_ARGUMENT},
        {"more coupled than streams", {2, 1, 2, {0, 1}}, 240, GSC_ERR_BAD_ARGUMENT},
        {"mapping beyond the coded channels", {2, 1, 1, {0, 2}}, 240, GSC_ERR_BAD_ARGUMENT},
    };
    for (const InitCase &c : cases) {
        gsc::AudioDecoder decoder;
        const gsc_status status = decoder.init(c.layout, c.samples);
        if (status != c.expected) {
            ::gsc_test::report_failure(__FILE__, __LINE__,
                                       std::string("case '") + c.name + "': status " + std::to_string(status));
        }
    }
    gsc::AudioDecoder twice;
    REQUIRE_EQ(twice.init(cases[0].layout, 240), GSC_OK);
    CHECK_EQ(twice.init(cases[0].layout, 240), GSC_ERR_BAD_STATE);
}
