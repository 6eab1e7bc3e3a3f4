// The session's configuration, inputs and timers (theory of operation in session.hpp; outputs
// in session_output.cpp).
#include "session.hpp"

#include <algorithm>
#include <new>

namespace gsc {

namespace {

constexpr uint32_t kKnownFlags = GSC_SESSION_FLAG_RFI | GSC_SESSION_FLAG_NO_CONTROL | GSC_SESSION_FLAG_AUDIO_NO_DECODE;
constexpr uint32_t kKnownEncryption = GSC_SESSION_ENCRYPT_CONTROL | GSC_SESSION_ENCRYPT_VIDEO | GSC_SESSION_ENCRYPT_AUDIO;
// An RTP + NV header precedes each video payload (data-plane.md §2.1).
constexpr uint32_t kVideoPacketHeaderBytes = 16;
// Defaults of the "0: default" fields of gsc_session_config.
constexpr uint32_t kDefaultMaxFrameBytes = 2u << 20;
constexpr uint32_t kDefaultShardsPerBlock = 255;
constexpr uint32_t kDefaultBlocksPerFrame = 4;
constexpr uint32_t kDefaultFramesInFlight = 8;
// Opus packet durations a host may negotiate (data-plane.md §3.2); 20 ms for custom hosts.
constexpr uint32_t kSamplesPerMs = kAudioSampleRateHz / 1000;
constexpr uint64_t kUsPerMs = 1000;

size_t timer_index(SessionTimer timer) { return static_cast<size_t>(timer); }

bool valid_audio_duration(uint8_t ms) { return ms == 5 || ms == 10 || ms == 20; }

gsc_status check_config(const gsc_session_config &c) {
    if ((c.flags & ~kKnownFlags) != 0 || (c.encryption_flags & ~kKnownEncryption) != 0) return GSC_ERR_BAD_ARGUMENT;
    if (c.video_codec > GSC_VIDEO_CODEC_AV1) return GSC_ERR_BAD_ARGUMENT;
    if (c.video_packet_size_bytes < GSC_SESSION_MIN_VIDEO_PACKET_SIZE ||
        c.video_packet_size_bytes > GSC_SESSION_MAX_VIDEO_PACKET_SIZE) {
        return GSC_ERR_BAD_ARGUMENT;
    }
    if (c.video_timeout_ms > GSC_SESSION_MAX_VIDEO_TIMEOUT_MS) return GSC_ERR_BAD_ARGUMENT;
    if (c.audio_channels < 1 || c.audio_channels > GSC_SESSION_MAX_AUDIO_CHANNELS) return GSC_ERR_BAD_ARGUMENT;
    if (!valid_audio_duration(c.audio_packet_duration_ms)) return GSC_ERR_BAD_ARGUMENT;
    if (c.ping_payload_size_bytes != 0 && c.ping_payload_size_bytes != GSC_SESSION_PING_PAYLOAD_SIZE) {
        return GSC_ERR_BAD_ARGUMENT;
    }
    return GSC_OK;
}

uint32_t or_default(uint32_t value, uint32_t fallback) { return value != 0 ? value : fallback; }

VideoReceiverConfig video_config(const gsc_session_config &c) {
    VideoReceiverConfig v;
    v.max_datagram_bytes = c.video_packet_size_bytes + kVideoPacketHeaderBytes;
    v.max_shards_per_block = or_default(c.video_max_shards_per_block, kDefaultShardsPerBlock);
    v.max_blocks_per_frame = or_default(c.video_max_blocks_per_frame, kDefaultBlocksPerFrame);
    v.max_frame_bytes = or_default(c.video_max_frame_bytes, kDefaultMaxFrameBytes);
    v.max_frames_in_flight = or_default(c.video_max_frames_in_flight, kDefaultFramesInFlight);
    v.codec = c.video_codec == GSC_VIDEO_CODEC_H264   ? VideoCodec::kH264
              : c.video_codec == GSC_VIDEO_CODEC_H265 ? VideoCodec::kH265
                                                      : VideoCodec::kAv1;
    v.rfi_supported = (c.flags & GSC_SESSION_FLAG_RFI) != 0;
    return v;
}

AudioReceiverConfig audio_config(const gsc_session_config &c) {
    AudioReceiverConfig a;
    a.layout.channels = c.audio_channels;
    a.layout.streams = c.audio_streams;
    a.layout.coupled_streams = c.audio_coupled_streams;
    std::copy(c.audio_mapping, c.audio_mapping + GSC_SESSION_MAX_AUDIO_CHANNELS, a.layout.mapping);
    a.samples_per_packet = c.audio_packet_duration_ms * kSamplesPerMs;
    a.encrypted = (c.encryption_flags & GSC_SESSION_ENCRYPT_AUDIO) != 0;
    std::copy(c.aes_key, c.aes_key + GSC_SESSION_KEY_SIZE, a.key);
    a.rikeyid = c.rikeyid;
    a.initial_discard_packets = c.audio_initial_discard_packets;
    a.decode_pcm = (c.flags & GSC_SESSION_FLAG_AUDIO_NO_DECODE) == 0;
    return a;
}

}  // namespace

gsc_status Session::init(const gsc_session_config &config) {
    gsc_status status = check_config(config);
    if (status != GSC_OK) return status;
    config_ = config;
    const VideoConfigError video_error = video_.init(video_config(config));
    if (video_error == VideoConfigError::kOutOfMemory) return GSC_ERR_OUT_OF_MEMORY;
    if (video_error != VideoConfigError::kNone) return GSC_ERR_BAD_ARGUMENT;
    status = audio_.init(audio_config(config), &video_.reed_solomon());
    if (status != GSC_OK) return status;
    status = control_.init(config);
    if (status != GSC_OK) return status;

    video_encrypted_ = (config.encryption_flags & GSC_SESSION_ENCRYPT_VIDEO) != 0;
    if (video_encrypted_) video_decryptor_.init(config.aes_key);
    const uint8_t *ping_payload = config.ping_payload_size_bytes != 0 ? config.ping_payload : nullptr;
    audio_ping_.init(ping_payload);
    video_ping_.init(ping_payload);

    rx_capacity_[GSC_SESSION_CHANNEL_VIDEO] =
        video_.receive_buffer_bytes() + (video_encrypted_ ? static_cast<uint32_t>(kVideoCryptoPrefixBytes) : 0);
    rx_capacity_[GSC_SESSION_CHANNEL_AUDIO] = kAudioDefaultMaxPacketSizeBytes;
    rx_capacity_[GSC_SESSION_CHANNEL_CONTROL] = SessionControl::kMaxDatagramBytes;
    uint32_t scratch = std::max(rx_capacity_[GSC_SESSION_CHANNEL_AUDIO], rx_capacity_[GSC_SESSION_CHANNEL_CONTROL]);
    if (video_encrypted_) scratch = std::max(scratch, rx_capacity_[GSC_SESSION_CHANNEL_VIDEO]);
    rx_scratch_.reset(new (std::nothrow) uint8_t[scratch]);
    if (!rx_scratch_) return GSC_ERR_OUT_OF_MEMORY;

    std::fill(timers_, timers_ + timer_index(SessionTimer::kCount), UINT64_MAX);
    timers_[timer_index(SessionTimer::kStart)] = 0;
    return GSC_OK;
}

uint8_t *Session::rx_buf(uint32_t channel, uint32_t &capacity_bytes) {
    rx_channel_ = kNoChannel;
    if (channel >= GSC_SESSION_CHANNEL_COUNT) return nullptr;
    rx_channel_ = channel;
    capacity_bytes = rx_capacity_[channel];
    if (channel != GSC_SESSION_CHANNEL_VIDEO) return rx_scratch_.get();
    // The next video datagram goes into a free packet slot, which may be where a held access
    // unit lies: its life ends here, whether the datagram is written there or decrypted there.
    drop_held_video();
    return video_encrypted_ ? rx_scratch_.get() : video_.receive_buffer();
}

gsc_status Session::rx_commit(uint32_t channel, uint32_t size_bytes, uint64_t now_us) {
    if (channel >= GSC_SESSION_CHANNEL_COUNT) return GSC_ERR_BAD_ARGUMENT;
    const bool written = rx_channel_ == channel;
    rx_channel_ = kNoChannel;
    if (!written) return GSC_ERR_BAD_STATE;
    // After the end only the control stream listens, for the acknowledgement of its goodbye.
    if (state_ == SessionState::kTerminated && channel != GSC_SESSION_CHANNEL_CONTROL) return GSC_OK;
    advance_clock(now_us);
    const bool fits = size_bytes <= rx_capacity_[channel];
    switch (channel) {
        case GSC_SESSION_CHANNEL_VIDEO:
            counters_.video_packets++;
            counters_.video_bytes += size_bytes;
            if (!fits) {
                counters_.video_oversize++;
                break;
            }
            receive_video(size_bytes, now_us_);
            break;
        case GSC_SESSION_CHANNEL_AUDIO:
            counters_.audio_packets++;
            counters_.audio_bytes += size_bytes;
            if (!fits) {
                counters_.audio_oversize++;
                break;
            }
            audio_.receive(rx_scratch_.get(), size_bytes, now_us_);
            break;
        default:
            counters_.control_packets++;
            counters_.control_bytes += size_bytes;
            if (!fits) {
                counters_.control_oversize++;
                break;
            }
            if (!has_control()) break;
            control_.handle_datagram(rx_scratch_.get(), size_bytes, now_us_);
            if (state_ != SessionState::kTerminated) pull_control_events();
            break;
    }
    refresh_timers();
    return GSC_OK;
}

void Session::receive_video(uint32_t size_bytes, uint64_t now_us) {
    if (!video_seen_) {
        video_seen_ = true;
        // From here the watchdog waits for a complete frame instead of the first packet.
        if (!frame_seen_ && config_.video_timeout_ms != 0 && video_started_) {
            timers_[timer_index(SessionTimer::kVideoWatchdog)] = now_us + config_.video_timeout_ms * kUsPerMs;
        }
    }
    if (!video_encrypted_) {
        video_.receive_in_place(size_bytes, now_us);
        prime_video();
        return;
    }
    const uint8_t *datagram = rx_scratch_.get();
    // The hint is unauthenticated, so it may only make us skip work, never accept anything:
    // a forged hint can cost the forger's own datagram and nothing else (§2.9).
    const uint32_t hint = VideoDecryptor::frame_hint(datagram, size_bytes);
    if (hint != 0 && next_frame_index_ != 0 && static_cast<int32_t>(hint - next_frame_index_) < 0) {
        counters_.video_stale++;
        return;
    }
    size_t plain_bytes = 0;
    const VideoDecryptError error = video_decryptor_.decrypt(datagram, size_bytes, video_.receive_buffer(),
                                                             video_.receive_buffer_bytes(), plain_bytes);
    if (error == VideoDecryptError::kAuthFailed) {
        counters_.video_decrypt_failures++;
        return;
    }
    if (error != VideoDecryptError::kNone) {
        counters_.video_undecryptable++;
        return;
    }
    video_.receive_in_place(plain_bytes, now_us);
    prime_video();
}

void Session::handle_timeout(uint64_t now_us) {
    rx_channel_ = kNoChannel;
    advance_clock(now_us);
    run_timers(now_us_);
    refresh_timers();
}

void Session::request_idr() {
    rx_channel_ = kNoChannel;
    if (state_ == SessionState::kTerminated) return;
    drop_held_video();
    video_.request_idr();
    prime_video();
    refresh_timers();
}

void Session::stop(uint64_t now_us) {
    rx_channel_ = kNoChannel;
    if (state_ == SessionState::kTerminated) return;
    // Not started: no clock to start and no host to tell (the control stream is still idle, so
    // closing it sends nothing).
    now_us_ = std::max(now_us_, now_us);
    terminate(GSC_TERMINATED_LOCAL, GSC_OK, false, 0);
}

uint64_t Session::next_deadline_us() const {
    uint64_t next = UINT64_MAX;
    for (uint64_t deadline : timers_) next = std::min(next, deadline);
    return next;
}

void Session::advance_clock(uint64_t now_us) {
    now_us_ = std::max(now_us_, now_us);
    if (state_ == SessionState::kIdle) start(now_us_);
}

void Session::start(uint64_t now_us) {
    state_ = SessionState::kRunning;
    timers_[timer_index(SessionTimer::kStart)] = UINT64_MAX;
    audio_ping_.start(now_us);
    if (!has_control()) {
        start_video(now_us);
        return;
    }
    // Only a second start can fail, and there is none.
    if (control_.start(now_us) != GSC_OK) {
        terminate(GSC_TERMINATED_PROTOCOL, GSC_ERR_CONTROL_ENDED, false, 0);
        return;
    }
    pull_control_events();
}

void Session::start_video(uint64_t now_us) {
    if (video_started_) return;
    video_started_ = true;
    video_ping_.start(now_us);
    if (config_.video_timeout_ms != 0 && !frame_seen_) {
        timers_[timer_index(SessionTimer::kVideoWatchdog)] = now_us + config_.video_timeout_ms * kUsPerMs;
    }
}

void Session::run_timers(uint64_t now_us) {
    auto due = [&](SessionTimer timer) { return timers_[timer_index(timer)] <= now_us; };
    if (state_ == SessionState::kTerminated) {
        if (due(SessionTimer::kControl)) control_.handle_timeout(now_us);
        return;
    }
    if (due(SessionTimer::kAudioPing)) audio_ping_.handle_timeout(now_us);
    if (due(SessionTimer::kVideoPing)) video_ping_.handle_timeout(now_us);
    if (due(SessionTimer::kAudioReorder)) audio_.handle_timeout(now_us);
    if (due(SessionTimer::kControl)) {
        control_.handle_timeout(now_us);
        pull_control_events();
    }
    if (state_ == SessionState::kTerminated) return;
    if (due(SessionTimer::kVideoWatchdog) && !frame_seen_) {
        terminate(GSC_TERMINATED_TIMEOUT, video_seen_ ? GSC_ERR_VIDEO_NO_FRAME : GSC_ERR_VIDEO_NO_TRAFFIC, false, 0);
    }
}

// The parts own their deadlines; the table mirrors them so that one minimum answers
// next_deadline_us(). The watchdog is the session's own and is set where it changes.
void Session::refresh_timers() {
    if (state_ == SessionState::kTerminated) {
        std::fill(timers_, timers_ + timer_index(SessionTimer::kCount), UINT64_MAX);
        if (has_control()) timers_[timer_index(SessionTimer::kControl)] = control_.next_deadline_us();
        return;
    }
    timers_[timer_index(SessionTimer::kAudioPing)] = audio_ping_.next_deadline_us();
    timers_[timer_index(SessionTimer::kVideoPing)] = video_ping_.next_deadline_us();
    timers_[timer_index(SessionTimer::kAudioReorder)] = audio_.next_deadline_us();
    if (has_control()) timers_[timer_index(SessionTimer::kControl)] = control_.next_deadline_us();
    if (frame_seen_) timers_[timer_index(SessionTimer::kVideoWatchdog)] = UINT64_MAX;
}

}  // namespace gsc
