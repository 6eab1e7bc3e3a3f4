// The audio stream's receiving side (data-plane.md §3): datagrams in, Opus packets and
// interleaved PCM out, in sequence order, one frame per RTP data packet, with FEC recovery
// and concealment so that the PCM timeline has no holes.
//
// Theory of operation. Data packets 4n … 4n+3 and their two parity packets form a FEC block
// (§3.3). The receiver keeps a window of `window_blocks` consecutive blocks starting at the
// block of `next_seq`, the next packet to output, and stores every shard that falls in it
// (the ciphertext, since FEC runs before decryption, §3.4). After each input it outputs in
// order: a packet that is present goes out at once; a missing one is rebuilt as soon as its
// block holds any 4 of its 6 shards; otherwise the block is given up (its missing packets go
// out as losses, decoded as concealment) only when a packet of a later block has arrived, so
// a pause in the stream (Sunshine sends nothing during silence) never produces concealment.
// Until a packet has been seen out of order the block is given up at once (loss is the only
// explanation); afterwards for a while (kPatienceSpanPackets) it waits up to `reorder_wait_us`
// after a later block arrived, the deadline next_deadline_us() reports. A packet beyond the
// window forces the oldest blocks out; a jump of two windows or more is a restart: the held
// blocks go out and the gap is skipped, not concealed. Frames wait in a ready queue until
// poll_frame(), which decrypts and decodes them one at a time.
//
// Every buffer is sized by init() from the config; receive(), handle_timeout() and
// poll_frame() never allocate. Nothing from the network is trusted: a datagram that does not
// parse, or does not fit, is dropped and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "audio_decoder.hpp"
#include "audio_decrypt.hpp"
#include "audio_packet.hpp"
#include "gsc_core.h"
#include "reed_solomon.hpp"

namespace gsc {

// Both Sunshine and Moonlight size audio buffers for 1400-byte datagrams (§3.1); the largest
// Opus packet Sunshine makes is 7.1 high quality: 2048 kbit/s × 5 ms = 1280 bytes + 16 of
// padding + 12 of header. Anything larger is refused at init.
constexpr uint32_t kAudioDefaultMaxPacketSizeBytes = 1400;
constexpr uint32_t kAudioMaxPacketSizeBytes = 2048;
constexpr uint32_t kAudioMinPacketSizeBytes = 64;
// 8 blocks = 32 packets = 160 ms at 5 ms: far more reordering than a LAN or Wi-Fi shows,
// within what a TV's audio sink buffers. 64 blocks bounds the memory of a custom config.
constexpr uint32_t kAudioDefaultWindowBlocks = 8;
constexpr uint32_t kAudioMaxWindowBlocks = 64;
// Moonlight waits about 10 ms for a late packet once it has seen reordering (§3.5).
constexpr uint32_t kAudioDefaultReorderWaitUs = 10000;
constexpr uint32_t kAudioMaxReorderWaitUs = 1000000;
// Moonlight drops the first 500 ms of packets (§3.5); more than 2 s of discard is a mistake.
constexpr uint32_t kAudioMaxInitialDiscardPackets = 400;

struct AudioReceiverConfig {
    // The negotiated Opus layout (sunshine_audio_layout() for Sunshine's).
    AudioLayout layout{};
    // Samples per channel per packet: 48 × packetDuration in ms (240 for 5 ms, 480 for 10 ms).
    uint32_t samples_per_packet = kAudioSamplesPer5Ms;
    // Audio encryption negotiated (x-ss-general.encryptionEnabled bit 0x04, §3.4).
    bool encrypted = true;
    uint8_t key[kAudioKeyBytes] = {};  // rikey
    int32_t rikeyid = 0;
    // Largest datagram accepted; larger ones are dropped as malformed.
    uint32_t max_packet_size_bytes = kAudioDefaultMaxPacketSizeBytes;
    uint32_t window_blocks = kAudioDefaultWindowBlocks;
    uint32_t reorder_wait_us = kAudioDefaultReorderWaitUs;
    // Packets from the first one received on that are dropped, to skip audio the host queued
    // before the client listened (Moonlight: 500 ms / packet duration; 0 keeps everything).
    uint32_t initial_discard_packets = 0;
    // False: frames carry the decrypted Opus packets only, no PCM (replay and trace tools).
    bool decode_pcm = true;
};

// One output frame per RTP data packet, in sequence order.
struct AudioFrame {
    uint16_t sequence;
    // The PCM is concealment: the packet was lost, or did not decrypt or decode.
    bool concealed;
    // The packet was rebuilt from FEC shards.
    bool recovered;
    // The decrypted Opus packet, or nullptr when there is none (lost, or failed to decrypt).
    const uint8_t *opus;
    uint32_t opus_size_bytes;
    // Interleaved samples, channels × samples_per_channel; nullptr when decode_pcm is off.
    const int16_t *pcm;
    // Samples per channel in `pcm`; with decode_pcm off, the nominal samples_per_packet.
    uint32_t samples_per_channel;
    uint8_t channels;
};

// Counters since init(); every datagram lands in exactly one of data_packets, fec_packets and
// malformed.
struct AudioStats {
    uint32_t datagrams;          // given to receive()
    uint32_t data_packets;       // well-formed, payload type 97
    uint32_t fec_packets;        // well-formed, payload type 127
    uint32_t malformed;          // dropped: too short or too long, bad RTP or FEC header, unknown type
    uint32_t duplicates;         // dropped: that shard of the block was already held
    uint32_t late;               // data packets that arrived after their place in the output (or copies of such)
    uint32_t discarded;          // data packets dropped by initial_discard_packets
    uint32_t fec_unused;         // FEC packets for finished blocks (normal without loss), or not block-aligned
    uint32_t fec_size_mismatch;  // blocks whose shard sizes differ, so FEC could not rebuild them
    uint32_t recovered;          // data packets rebuilt from FEC
    uint32_t lost;               // data packets output missing (neither received nor rebuilt)
    uint32_t skipped;            // packets jumped over, unconcealed, on a restart of the sequence
    uint32_t decrypt_failures;   // ciphertext with a bad length or bad padding
    uint32_t decode_failures;    // Opus packets libopus refused
    uint32_t concealed;          // frames output as concealment
    uint32_t frames;             // frames returned by poll_frame()
    uint32_t overflowed;         // frames dropped because poll_frame() did not keep up
};

class AudioReceiver {
public:
    AudioReceiver();
    ~AudioReceiver();
    AudioReceiver(const AudioReceiver &) = delete;
    AudioReceiver &operator=(const AudioReceiver &) = delete;

    // Validates the config and allocates every buffer. `shared_rs`, when not null, is an
    // initialised ReedSolomon borrowed for FEC recovery (the session's video one: it is only
    // scratch during a call) and must outlive the receiver; when null the receiver makes its
    // own (about 130 KiB). GSC_ERR_BAD_ARGUMENT for a value out of its documented range or a
    // layout libopus refuses, GSC_ERR_OUT_OF_MEMORY, GSC_ERR_BAD_STATE when called twice. No
    // other call does anything before init() succeeded; after a failure, destroy the receiver.
    [[nodiscard]] gsc_status init(const AudioReceiverConfig &config, ReedSolomon *shared_rs = nullptr);

    // One datagram from the host's audio port, with the monotonic time it arrived. Drain
    // poll_frame() after each call: the ready queue holds the frames of 2 windows, and older
    // frames are dropped (and counted) when it overflows.
    void receive(const uint8_t *datagram, size_t size_bytes, uint64_t now_us);

    // Gives up on a packet whose reordering wait has expired. Early or repeated calls are harmless.
    void handle_timeout(uint64_t now_us);

    // When handle_timeout() has something to do; UINT64_MAX when nothing waits on time.
    uint64_t next_deadline_us() const { return deadline_us_; }

    // Takes the next frame; false when none is ready. The frame's pointers stay valid until
    // the next call on this receiver.
    [[nodiscard]] bool poll_frame(AudioFrame &out);

    const AudioStats &stats() const { return stats_; }

private:
    struct Block;
    struct ReadyEntry;

    bool place(const AudioPacket &packet, uint32_t &block_number, uint32_t &shard);
    void note_order(uint16_t sequence);
    void store(uint32_t distance_blocks, uint32_t shard, const uint8_t *payload, size_t size_bytes);
    void make_room(uint32_t distance_blocks);
    void advance();
    bool release_head(bool force);
    bool try_recover(Block &block);
    bool may_give_up();
    void emit(const Block &block, uint32_t shard);
    void retire_head();
    Block &block_at(uint32_t distance_blocks);
    uint8_t *shard_bytes(const Block &block, uint32_t shard);
    bool patient() const;

    AudioReceiverConfig config_{};
    bool initialized_ = false;
    AudioDecryptor decryptor_{};
    AudioDecoder decoder_{};
    std::unique_ptr<ReedSolomon> own_rs_;
    ReedSolomon *rs_ = nullptr;
    size_t shard_capacity_bytes_ = 0;

    std::unique_ptr<Block[]> blocks_;
    std::unique_ptr<uint8_t[]> shard_storage_;
    std::unique_ptr<ReadyEntry[]> ready_;
    std::unique_ptr<uint8_t[]> ready_storage_;
    uint32_t ready_capacity_ = 0;
    uint32_t ready_head_ = 0;
    uint32_t ready_count_ = 0;

    bool synced_ = false;
    bool discarding_ = false;
    uint16_t next_seq_ = 0;
    uint32_t head_slot_ = 0;
    uint32_t newest_distance_ = 0;
    uint16_t highest_seq_ = 0;
    bool reorder_seen_ = false;
    uint32_t packets_since_reorder_ = 0;
    uint64_t now_us_ = 0;
    uint64_t deadline_us_ = UINT64_MAX;
    AudioStats stats_{};
};

}  // namespace gsc
