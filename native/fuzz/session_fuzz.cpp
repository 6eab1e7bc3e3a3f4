// libFuzzer target over the session's datagram input on all three channels, through the C ABI
// exactly as the session worker calls it (style guide F.8): whatever arrives on whichever
// socket, the session accepts it or drops and counts it; it never crashes, never loops, and
// what it hands out stays within the bounds its header promises.
//
// Input: byte 0 picks the config (codec, encrypted video and audio, control stream or not,
// PCM decoding, packet size, watchdog); then records, each an opcode byte and a body:
//   opcode & 3 == 0, 1, 2  a datagram on that channel (video, audio, control): u16 LE length,
//                          then that many bytes (a length past the end takes what is left; a
//                          length beyond the channel's buffer is committed as oversize)
//   opcode & 3 == 3        handle_timeout at the session's deadline
//   opcode >> 2            milliseconds added to the clock before the record (x 16 when the
//                          opcode's top bit is set, so that watchdogs are reachable)
// Every output is drained after every input. Seeds from the recorded sessions (video and audio
// datagrams in this layout) are written by native/fuzz/build.sh.
//
// fuzz-sources: session.cpp session_output.cpp session_abi.cpp session_control.cpp udp_ping.cpp video_decrypt.cpp
// fuzz-sources: video_packet.cpp video_fec_queue.cpp video_depacketizer.cpp video_recovery.cpp video_receiver.cpp reed_solomon.cpp
// fuzz-sources: audio_receiver.cpp audio_packet.cpp audio_fec.cpp audio_decrypt.cpp audio_decoder.cpp crypto_gcm.cpp
// fuzz-sources: control_stream.cpp control_envelope.cpp control_messages.cpp enet_client.cpp enet_wire.cpp enet_send_queue.cpp enet_receive_queue.cpp
// fuzz-libs: gsc_opus gsc_bearssl
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "gsc_session.h"

namespace {

// Outputs one input may produce: every transmit and event of a burst is bounded by the
// session's buffers (a few windows of audio, a handful of frames), far below these.
constexpr int kMaxTransmitsPerDrain = 64;
constexpr int kMaxEventsPerDrain = 4096;
constexpr uint64_t kStartUs = 1000000;
// The launch key of captures/sunshine-0.23.1/dev-h264-720p60 (keys.json), so that the audio of
// the seeds made from that session decrypts and reaches the Opus decoder.
constexpr uint8_t kSeedSessionKey[GSC_SESSION_KEY_SIZE] = {0x38, 0xd7, 0x5e, 0x87, 0x38, 0x69, 0xd0, 0x9f,
                                                           0x89, 0x3a, 0x31, 0xe8, 0x14, 0x5e, 0x47, 0xdb};
constexpr int32_t kSeedSessionRikeyid = -659895338;

void check(bool condition) {
    if (!condition) std::abort();
}

// Reads the first and last byte of a borrowed buffer: ASan then checks that it is readable.
void touch(const uint8_t *bytes, size_t size) {
    volatile uint8_t sink = bytes[0];
    sink = bytes[size - 1];
    (void)sink;
}

gsc_session_config config_for(uint8_t selector) {
    gsc_session_config c{};
    c.flags = (selector & 0x01) != 0 ? GSC_SESSION_FLAG_NO_CONTROL : 0;
    if ((selector & 0x02) != 0) c.flags |= GSC_SESSION_FLAG_AUDIO_NO_DECODE;
    c.video_codec = (selector >> 2) % 3;
    c.encryption_flags = GSC_SESSION_ENCRYPT_CONTROL | ((selector & 0x10) != 0 ? GSC_SESSION_ENCRYPT_VIDEO : 0) |
                         ((selector & 0x20) != 0 ? GSC_SESSION_ENCRYPT_AUDIO : 0);
    // Small packets and frames make pool exhaustion and oversize frames reachable.
    c.video_packet_size_bytes = (selector & 0x40) != 0 ? 64 : 1392;
    c.video_max_frame_bytes = (selector & 0x40) != 0 ? 1024 : 0;
    c.video_timeout_ms = (selector & 0x80) != 0 ? 1000 : 0;
    c.audio_channels = 2;
    c.audio_streams = 1;
    c.audio_coupled_streams = 1;
    c.audio_packet_duration_ms = 5;
    c.audio_mapping[1] = 1;
    c.audio_initial_discard_packets = selector & 0x08;
    c.ping_payload_size_bytes = GSC_SESSION_PING_PAYLOAD_SIZE;
    std::memcpy(c.ping_payload, "0123456789ABCDEF", GSC_SESSION_PING_PAYLOAD_SIZE);
    std::memcpy(c.aes_key, kSeedSessionKey, GSC_SESSION_KEY_SIZE);
    c.rikeyid = kSeedSessionRikeyid;
    return c;
}

void drain(gsc_session *s, uint32_t max_frame_bytes) {
    uint32_t channel = 0;
    const uint8_t *bytes = nullptr;
    int transmits = 0;
    while (uint32_t size = gsc_session_poll_transmit(s, &channel, &bytes)) {
        check(channel < GSC_SESSION_CHANNEL_COUNT && bytes != nullptr);
        check(++transmits <= kMaxTransmitsPerDrain);
    }
    gsc_event event;
    const uint8_t *data[GSC_EVENT_BYTES_COUNT] = {};
    int events = 0;
    bool terminated = false;
    while (uint32_t kind = gsc_session_poll_event(s, &event, data)) {
        check(++events <= kMaxEventsPerDrain);
        check(!terminated);  // termination comes last, once
        check(kind == event.kind);
        switch (kind) {
            case GSC_EVENT_VIDEO_FRAME:
                check(data[0] != nullptr && event.size_bytes > 0 && event.size_bytes <= max_frame_bytes);
                touch(data[0], event.size_bytes);
                break;
            case GSC_EVENT_AUDIO_FRAME:
                check(event.size_bytes == 0 || event.size_bytes == event.u.audio.channels * event.u.audio.samples_per_channel * 2);
                check((data[1] == nullptr) == (event.u.audio.opus_size_bytes == 0));
                if (data[0] != nullptr) touch(data[0], event.size_bytes);
                if (data[1] != nullptr) touch(data[1], event.u.audio.opus_size_bytes);
                break;
            case GSC_EVENT_TERMINATED:
                terminated = true;
                check(event.u.terminated.status != GSC_OK);
                break;
            default:
                check(kind <= GSC_EVENT_HDR_MODE);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const gsc_session_config config = config_for(data[0]);
    gsc_session *s = nullptr;
    if (gsc_session_create(&config, sizeof config, &s) != GSC_OK) std::abort();
    const uint32_t max_frame_bytes = config.video_max_frame_bytes != 0 ? config.video_max_frame_bytes : 2u << 20;
    uint64_t now_us = kStartUs;
    size_t at = 1;
    while (at < size) {
        const uint8_t op = data[at++];
        now_us += static_cast<uint64_t>(op & 0x7c) / 4 * 1000 * ((op & 0x80) != 0 ? 16 : 1);
        const uint32_t channel = op & 3;
        if (channel == 3) {
            uint32_t deadline[2] = {};
            gsc_session_next_deadline(s, deadline);
            const uint64_t due = uint64_t{deadline[1]} << 32 | deadline[0];
            if (due != UINT64_MAX && due > now_us) now_us = due;
            check(gsc_session_handle_timeout(s, static_cast<uint32_t>(now_us), static_cast<uint32_t>(now_us >> 32)) == GSC_OK);
        } else {
            size_t length = 0;
            if (at + 2 <= size) length = size_t{data[at]} | size_t{data[at + 1]} << 8;
            at += 2;
            if (at > size) at = size;
            if (length > size - at) length = size - at;
            uint32_t capacity = 0;
            uint8_t *buffer = gsc_session_rx_buf(s, channel, &capacity);
            check(buffer != nullptr && capacity > 0);
            std::memcpy(buffer, data + at, length < capacity ? length : capacity);
            at += length;
            check(gsc_session_rx_commit(s, channel, static_cast<uint32_t>(length), static_cast<uint32_t>(now_us),
                                        static_cast<uint32_t>(now_us >> 32)) == GSC_OK);
        }
        drain(s, max_frame_bytes);
    }
    gsc_session_counters stats{};
    check(gsc_session_stats(s, &stats, sizeof stats) == GSC_OK);
    check(stats.malformed == stats.video_malformed + stats.audio_malformed + stats.control_malformed);
    check(stats.frames_complete <= stats.video_packets);
    gsc_session_destroy(s);
    return 0;
}
