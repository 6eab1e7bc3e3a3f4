// Opus multistream to interleaved 16-bit PCM at 48 kHz (data-plane.md §3.2), and the
// decoder layouts that fit what Sunshine encodes. One decoder per stream, created once; a
// packet decodes into the decoder's own buffer, so the per-packet path allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gsc_core.h"

struct OpusMSDecoder;

namespace gsc {

constexpr uint32_t kAudioSampleRateHz = 48000;
// 7.1 is the widest layout any GameStream host sends (§3.2).
constexpr uint8_t kAudioMaxChannels = 8;
// Samples per channel in one packet: 5 ms and 10 ms are what hosts negotiate (§3.2,
// `x-nv-aqos.packetDuration`); 20 ms is Opus's next frame size, accepted for custom hosts.
constexpr uint32_t kAudioSamplesPer5Ms = kAudioSampleRateHz / 200;
constexpr uint32_t kAudioSamplesPer10Ms = kAudioSampleRateHz / 100;
constexpr uint32_t kAudioSamplesPer20Ms = kAudioSampleRateHz / 50;

// Opus multistream parameters: output channel i is decoded from coded channel mapping[i]
// (255 = silence). Output order is FL FR C LFE BL BR SL SR, truncated to `channels`.
struct AudioLayout {
    uint8_t channels;
    uint8_t streams;
    uint8_t coupled_streams;
    uint8_t mapping[kAudioMaxChannels];
};

// Sunshine's layouts for 2, 6 or 8 channels, normal or high quality (§3.2), with the decoder
// mapping that puts every channel in place. That mapping is the identity in all six cases:
// Sunshine encodes in output order, and the rotated mapping digits it advertises for normal
// 5.1 / 7.1 only undo Moonlight's GFE reordering, wrongly for 7.1 (§3.2, §9.2). False for
// another channel count.
[[nodiscard]] bool sunshine_audio_layout(uint8_t channels, bool high_quality, AudioLayout &out);

class AudioDecoder {
public:
    AudioDecoder() = default;
    ~AudioDecoder();
    AudioDecoder(const AudioDecoder &) = delete;
    AudioDecoder &operator=(const AudioDecoder &) = delete;

    // Creates the Opus decoder and the PCM buffer. GSC_ERR_BAD_ARGUMENT for a layout libopus
    // refuses or a packet size not in {240, 480, 960}; GSC_ERR_OUT_OF_MEMORY; GSC_ERR_BAD_STATE
    // if called twice.
    [[nodiscard]] gsc_status init(const AudioLayout &layout, uint32_t samples_per_packet);

    // Decodes one Opus packet into pcm(). Returns the samples per channel written (at most
    // samples_per_packet), or 0 when libopus refuses the packet; the caller then conceals.
    [[nodiscard]] uint32_t decode(const uint8_t *packet, size_t size_bytes);

    // Writes samples_per_packet samples per channel of packet-loss concealment into pcm(), so
    // a lost packet keeps the timeline. Returns that count (0 only if libopus fails).
    [[nodiscard]] uint32_t conceal();

    // Interleaved samples of the last decode or conceal; valid until the next call.
    const int16_t *pcm() const { return pcm_; }
    uint8_t channels() const { return channels_; }
    uint32_t samples_per_packet() const { return samples_per_packet_; }

private:
    OpusMSDecoder *opus_ = nullptr;
    int16_t *pcm_ = nullptr;
    uint8_t channels_ = 0;
    uint32_t samples_per_packet_ = 0;
};

}  // namespace gsc
