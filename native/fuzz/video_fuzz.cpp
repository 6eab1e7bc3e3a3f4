// libFuzzer target over the video receive path's entry point: a sequence of datagrams fed to a
// VideoReceiver, with every output drained after each one (style guide F.8: the only outcomes
// are "accepted" or "dropped and counted"; nothing asserts on what the host supplied).
//
// Input layout: byte 0 picks a configuration (codec, window, reorder tolerance, copy or in-place
// receive, a small or a Sunshine-sized packet limit); then records of a 2-byte little-endian
// length and that many bytes, each one datagram (a length past the end takes what is left).
// Seeds made from real sessions by native/fuzz/build.sh use this layout.
//
// fuzz-sources: video_packet.cpp video_fec_queue.cpp video_depacketizer.cpp video_recovery.cpp video_receiver.cpp reed_solomon.cpp
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "video_receiver.hpp"

namespace {

// Invariants that hold whatever the input: a violation is a bug in the receiver.
void check(bool condition) {
    if (!condition) std::abort();
}

gsc::VideoReceiverConfig config_for(uint8_t selector) {
    gsc::VideoReceiverConfig c;
    c.codec = static_cast<gsc::VideoCodec>(selector % 3);
    c.max_frames_in_flight = 1 + ((selector >> 2) & 7);
    c.reorder_tolerance_packets = (selector & 0x20) != 0 ? 16 : 0;
    c.rfi_supported = (selector & 0x40) != 0;
    if ((selector & 0x80) != 0) {
        // Small limits, so that pool exhaustion, oversize frames and eviction are reachable.
        c.max_datagram_bytes = 96;
        c.max_shards_per_block = 12;
        c.max_blocks_per_frame = 2;
        c.max_frame_bytes = 512;
    } else {
        c.max_datagram_bytes = 1408;
        c.max_shards_per_block = 64;
        c.max_frame_bytes = 64 * 1024;
    }
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const gsc::VideoReceiverConfig config = config_for(data[0]);
    const bool in_place = (data[0] & 0x10) != 0;
    gsc::VideoReceiver rx;
    if (rx.init(config) != gsc::VideoConfigError::kNone) std::abort();

    size_t at = 1;
    uint64_t fed = 0, now_us = 0;
    while (at < size) {
        size_t length = data[at];
        if (at + 1 < size) length |= size_t{data[at + 1]} << 8;
        at += 2;
        if (at > size) at = size;
        if (length > size - at) length = size - at;
        const uint8_t *datagram = data + at;
        at += length;
        if (in_place) {
            if (length > rx.receive_buffer_bytes()) length = rx.receive_buffer_bytes();
            std::memcpy(rx.receive_buffer(), datagram, length);
            rx.receive_in_place(length, now_us);
        } else {
            rx.receive(datagram, length, now_us);
        }
        fed++;
        now_us += 100;
        gsc::VideoOutput out;
        uint32_t outputs = 0;
        while (rx.poll(out)) {
            // Each datagram can release at most the frames of the window plus a few requests.
            check(++outputs <= 4 * gsc::kMaxFramesInFlight);
            if (out.kind == gsc::VideoOutput::Kind::kAccessUnit) {
                check(out.access_unit.size_bytes > 0 && out.access_unit.size_bytes <= config.max_frame_bytes);
                // Touch every byte, so ASan sees any read of freed or foreign memory.
                uint8_t sum = 0;
                for (uint32_t i = 0; i < out.access_unit.size_bytes; i++) sum ^= out.access_unit.data[i];
                (void)sum;
            } else if (out.kind == gsc::VideoOutput::Kind::kRequestRfi) {
                check(config.rfi_supported);
            }
        }
    }
    check(rx.counters().packets_received == fed);
    return 0;
}
