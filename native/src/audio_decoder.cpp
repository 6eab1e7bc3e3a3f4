#include "audio_decoder.hpp"

#include <new>

#include <opus_multistream.h>

namespace gsc {

namespace {

// libopus takes packet lengths as opus_int32; the receiver's datagrams are far smaller, but
// the decoder does not rely on that.
constexpr size_t kMaxOpusPacketBytes = 0x7fffffff;

struct SunshineLayout {
    uint8_t channels;
    bool high_quality;
    uint8_t streams;
    uint8_t coupled_streams;
};

// §3.2, "Sunshine layouts and bitrates".
constexpr SunshineLayout kSunshineLayouts[] = {
    {2, false, 1, 1}, {2, true, 1, 1}, {6, false, 4, 2}, {6, true, 6, 0}, {8, false, 5, 3}, {8, true, 8, 0},
};

bool is_packet_size_allowed(uint32_t samples) {
    return samples == kAudioSamplesPer5Ms || samples == kAudioSamplesPer10Ms || samples == kAudioSamplesPer20Ms;
}

}  // namespace

bool sunshine_audio_layout(uint8_t channels, bool high_quality, AudioLayout &out) {
    for (const SunshineLayout &l : kSunshineLayouts) {
        if (l.channels != channels || l.high_quality != high_quality) continue;
        AudioLayout layout{};
        layout.channels = l.channels;
        layout.streams = l.streams;
        layout.coupled_streams = l.coupled_streams;
        for (uint8_t i = 0; i < l.channels; ++i) layout.mapping[i] = i;
        out = layout;
        return true;
    }
    return false;
}

AudioDecoder::~AudioDecoder() {
    if (opus_ != nullptr) opus_multistream_decoder_destroy(opus_);
    delete[] pcm_;
}

gsc_status AudioDecoder::init(const AudioLayout &layout, uint32_t samples_per_packet) {
    if (opus_ != nullptr) return GSC_ERR_BAD_STATE;
    if (layout.channels == 0 || layout.channels > kAudioMaxChannels || !is_packet_size_allowed(samples_per_packet)) {
        return GSC_ERR_BAD_ARGUMENT;
    }
    // libopus validates streams, coupled streams and every mapping entry itself.
    int error = OPUS_OK;
    OpusMSDecoder *opus = opus_multistream_decoder_create(static_cast<opus_int32>(kAudioSampleRateHz), layout.channels,
                                                          layout.streams, layout.coupled_streams, layout.mapping, &error);
    if (opus == nullptr) return error == OPUS_ALLOC_FAIL ? GSC_ERR_OUT_OF_MEMORY : GSC_ERR_BAD_ARGUMENT;
    int16_t *pcm = new (std::nothrow) int16_t[static_cast<size_t>(samples_per_packet) * layout.channels]();
    if (pcm == nullptr) {
        opus_multistream_decoder_destroy(opus);
        return GSC_ERR_OUT_OF_MEMORY;
    }
    opus_ = opus;
    pcm_ = pcm;
    channels_ = layout.channels;
    samples_per_packet_ = samples_per_packet;
    return GSC_OK;
}

uint32_t AudioDecoder::decode(const uint8_t *packet, size_t size_bytes) {
    // An empty packet would ask libopus for concealment; that is conceal()'s job, and an empty
    // packet on the wire is malformed.
    if (opus_ == nullptr || packet == nullptr || size_bytes == 0 || size_bytes > kMaxOpusPacketBytes) return 0;
    const int samples = opus_multistream_decode(opus_, packet, static_cast<opus_int32>(size_bytes), pcm_,
                                                static_cast<int>(samples_per_packet_), 0);
    return samples > 0 ? static_cast<uint32_t>(samples) : 0;
}

uint32_t AudioDecoder::conceal() {
    if (opus_ == nullptr) return 0;
    const int samples = opus_multistream_decode(opus_, nullptr, 0, pcm_, static_cast<int>(samples_per_packet_), 0);
    return samples > 0 ? static_cast<uint32_t>(samples) : 0;
}

}  // namespace gsc
