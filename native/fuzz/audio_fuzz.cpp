// libFuzzer target over the audio receiver's datagram input (style guide F.8): whatever
// arrives, the receiver must accept it or drop and count it, never crash, and keep its
// counters and frames consistent.
//
// Input: byte 0 picks the config (encryption, PCM decoding, layout, packet duration, window,
// reorder patience); then records, each starting with an opcode byte whose low 2 bits say:
//   0  raw datagram: u8 length, then that many bytes (parsed as the host's would be)
//   1  data packet: u16 sequence, u8 payload length, payload (an RTP header is put in front)
//   2  FEC packet: u16 base sequence, u8 shard index, u8 parity length, parity
//   3  handle_timeout at the armed deadline
// The opcode's high 6 bits advance the clock (in milliseconds) before the record. Opcodes 1
// and 2 let the fuzzer reach reordering, FEC and window rules without guessing RTP headers.
//
// fuzz-sources: audio_receiver.cpp audio_packet.cpp audio_fec.cpp audio_decrypt.cpp audio_decoder.cpp reed_solomon.cpp
// fuzz-libs: gsc_opus gsc_bearssl
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "audio_receiver.hpp"
#include "fuzz_input.hpp"

namespace {

using gsc_fuzz::check;
using gsc_fuzz::Input;

gsc::AudioReceiverConfig config_from(uint8_t selector) {
    static const uint8_t kLayouts[][2] = {{2, 0}, {6, 0}, {8, 0}, {8, 1}};
    gsc::AudioReceiverConfig config;
    const uint8_t *layout = kLayouts[(selector >> 2) & 3];
    (void)gsc::sunshine_audio_layout(layout[0], layout[1] != 0, config.layout);
    config.encrypted = (selector & 1) != 0;
    config.decode_pcm = (selector & 2) != 0;
    config.samples_per_packet = (selector & 0x10) ? gsc::kAudioSamplesPer10Ms : gsc::kAudioSamplesPer5Ms;
    config.window_blocks = (selector & 0x20) ? 2 : gsc::kAudioDefaultWindowBlocks;
    config.reorder_wait_us = (selector & 0x40) ? 0 : 20000;
    config.initial_discard_packets = (selector & 0x80) ? 7 : 0;
    for (size_t i = 0; i < sizeof config.key; ++i) config.key[i] = static_cast<uint8_t>(i * 17 + 3);
    config.rikeyid = -5;
    return config;
}

void drain(gsc::AudioReceiver &receiver, const gsc::AudioReceiverConfig &config) {
    gsc::AudioFrame frame{};
    uint32_t sink = 0;
    while (receiver.poll_frame(frame)) {
        check(frame.channels == config.layout.channels);
        check(frame.opus_size_bytes <= config.max_packet_size_bytes);
        check((frame.opus == nullptr) == (frame.opus_size_bytes == 0));
        if (frame.opus != nullptr) {
            for (uint32_t i = 0; i < frame.opus_size_bytes; ++i) sink += frame.opus[i];
        }
        if (config.decode_pcm) {
            check(frame.pcm != nullptr && frame.samples_per_channel <= config.samples_per_packet);
            for (uint32_t i = 0; i < frame.samples_per_channel * frame.channels; ++i) sink += static_cast<uint16_t>(frame.pcm[i]);
        } else {
            check(frame.pcm == nullptr);
        }
    }
    // Keep the reads.
    __asm__ volatile("" : : "r"(sink));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in{data, size};
    uint8_t selector = 0;
    if (!in.u8(selector)) return 0;
    const gsc::AudioReceiverConfig config = config_from(selector);
    gsc::AudioReceiver receiver;
    if (receiver.init(config) != GSC_OK) __builtin_trap();

    uint64_t now_us = 1000;
    uint8_t datagram[gsc::kAudioMaxPacketSizeBytes];
    uint8_t opcode = 0;
    while (in.u8(opcode)) {
        now_us += static_cast<uint64_t>(opcode >> 2) * 1000;
        size_t length = 0;
        uint8_t n = 0;
        uint16_t sequence = 0;
        switch (opcode & 3) {
            case 0:
                if (!in.u8(n) || !in.bytes(datagram, n)) return 0;
                length = n;
                break;
            case 1: {
                if (!in.u16(sequence) || !in.u8(n) || !in.bytes(datagram + 12, n)) return 0;
                const uint8_t header[12] = {0x80, 97, static_cast<uint8_t>(sequence >> 8), static_cast<uint8_t>(sequence)};
                std::memcpy(datagram, header, sizeof header);
                length = 12u + n;
                break;
            }
            case 2: {
                uint8_t index = 0;
                if (!in.u16(sequence) || !in.u8(index) || !in.u8(n) || !in.bytes(datagram + 24, n)) return 0;
                const uint8_t header[24] = {0x80, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(index & 1), 97,
                                            static_cast<uint8_t>(sequence >> 8), static_cast<uint8_t>(sequence)};
                std::memcpy(datagram, header, sizeof header);
                length = 24u + n;
                break;
            }
            default:
                if (receiver.next_deadline_us() != UINT64_MAX && receiver.next_deadline_us() > now_us) {
                    now_us = receiver.next_deadline_us();
                }
                receiver.handle_timeout(now_us);
                drain(receiver, config);
                continue;
        }
        receiver.receive(datagram, length, now_us);
        drain(receiver, config);
        const gsc::AudioStats &s = receiver.stats();
        check(s.datagrams == s.data_packets + s.fec_packets + s.malformed);
        check(s.concealed <= s.frames);
    }
    return 0;
}
