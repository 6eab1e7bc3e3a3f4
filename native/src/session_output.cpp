// The session's outputs: transmits, events, the routing of recovery requests to the control
// stream, termination, and the stats snapshot (theory of operation in session.hpp).
#include "session.hpp"

#include <cstring>

namespace gsc {

namespace {

// The one termination code Sunshine sends, "server closed normally" (data-plane.md §4.4.15),
// and the older short form's "intended termination".
constexpr uint32_t kHostCodeServerClosed = 0x80030023u;
constexpr uint32_t kHostCodeIntended = 0x0100u;

uint32_t lo32(uint64_t value) { return static_cast<uint32_t>(value); }
uint32_t hi32(uint64_t value) { return static_cast<uint32_t>(value >> 32); }
// Counters wrap at 2^32 in the stats struct (gsc_session.h).
uint32_t wrap32(uint64_t value) { return static_cast<uint32_t>(value); }

}  // namespace

uint32_t Session::poll_transmit(uint32_t &channel, const uint8_t *&bytes) {
    rx_channel_ = kNoChannel;
    size_t size = 0;
    if (control_.poll_transmit(bytes, size)) {
        channel = GSC_SESSION_CHANNEL_CONTROL;
    } else if (state_ == SessionState::kTerminated) {
        // The goodbye's datagrams are out: the deadline is the control stream's own again, so
        // that a stopped session says "nothing pending" as soon as there is nothing.
        refresh_timers();
        return 0;
    } else if (audio_ping_.poll(bytes, size)) {
        channel = GSC_SESSION_CHANNEL_AUDIO;
    } else if (video_ping_.poll(bytes, size)) {
        channel = GSC_SESSION_CHANNEL_VIDEO;
    } else {
        return 0;
    }
    counters_.transmits++;
    return static_cast<uint32_t>(size);
}

uint32_t Session::poll_event(gsc_event &event, const uint8_t *bytes[GSC_EVENT_BYTES_COUNT]) {
    rx_channel_ = kNoChannel;
    std::memset(&event, 0, sizeof event);
    bytes[GSC_EVENT_BYTES_MAIN] = nullptr;
    bytes[GSC_EVENT_BYTES_OPUS] = nullptr;
    if (video_held_) {
        video_held_ = false;
        fill_video_event(held_unit_, event, bytes);
        return event.kind;
    }
    if (event_count_ != 0) {
        event = events_[event_head_];
        event_head_ = (event_head_ + 1) % kEventQueueCapacity;
        event_count_--;
        return event.kind;
    }
    VideoOutput out;
    while (video_.poll(out)) {
        if (route_video(out)) continue;
        fill_video_event(out.access_unit, event, bytes);
        return event.kind;
    }
    if (poll_audio(event, bytes)) return event.kind;
    if (termination_pending_) {
        termination_pending_ = false;
        event = termination_;
    }
    return event.kind;
}

// Pulls video outputs until the first access unit, which is held for poll_event(); the
// requests before it go to the control stream now, in the drain of the input that raised them.
void Session::prime_video() {
    if (video_held_) return;
    VideoOutput out;
    while (video_.poll(out)) {
        if (route_video(out)) continue;
        held_unit_ = out.access_unit;
        video_held_ = true;
        note_frame();
        return;
    }
}

// Sends a recovery request to the control stream; false for an access unit.
bool Session::route_video(const VideoOutput &out) {
    switch (out.kind) {
        case VideoOutput::Kind::kAccessUnit:
            return false;
        case VideoOutput::Kind::kRequestIdr:
            if (has_control()) control_.request_idr(now_us_);
            return true;
        case VideoOutput::Kind::kRequestRfi:
            if (has_control()) control_.request_rfi(out.rfi_first_frame, out.rfi_last_frame, now_us_);
            return true;
    }
    return true;
}

// A complete frame ends the watchdog for good.
void Session::note_frame() {
    frame_seen_ = true;
    timers_[static_cast<size_t>(SessionTimer::kVideoWatchdog)] = UINT64_MAX;
}

// A held access unit dies with the next call into the video receiver.
void Session::drop_held_video() {
    if (!video_held_) return;
    video_held_ = false;
    counters_.events_dropped++;
}

void Session::fill_video_event(const VideoAccessUnit &unit, gsc_event &event, const uint8_t *bytes[]) {
    note_frame();
    next_frame_index_ = unit.frame_index + 1;
    event.kind = GSC_EVENT_VIDEO_FRAME;
    event.size_bytes = unit.size_bytes;
    event.u.video.frame_index = unit.frame_index;
    event.u.video.rtp_timestamp = unit.rtp_timestamp;
    event.u.video.first_packet_us_lo = lo32(unit.first_packet_us);
    event.u.video.first_packet_us_hi = hi32(unit.first_packet_us);
    event.u.video.key_frame = unit.key_frame ? 1 : 0;
    event.u.video.frame_type = unit.frame_type;
    event.u.video.host_latency_100us = unit.host_latency_100us;
    bytes[GSC_EVENT_BYTES_MAIN] = unit.data;
}

bool Session::poll_audio(gsc_event &event, const uint8_t *bytes[]) {
    AudioFrame frame{};
    if (!audio_.poll_frame(frame)) return false;
    event.kind = GSC_EVENT_AUDIO_FRAME;
    event.u.audio.sequence = frame.sequence;
    event.u.audio.channels = frame.channels;
    event.u.audio.samples_per_channel = frame.samples_per_channel;
    event.u.audio.concealed = frame.concealed ? 1 : 0;
    event.u.audio.recovered = frame.recovered ? 1 : 0;
    event.u.audio.opus_size_bytes = frame.opus_size_bytes;
    if (frame.pcm != nullptr) {
        event.size_bytes = frame.channels * frame.samples_per_channel * static_cast<uint32_t>(sizeof(int16_t));
        bytes[GSC_EVENT_BYTES_MAIN] = reinterpret_cast<const uint8_t *>(frame.pcm);
    }
    bytes[GSC_EVENT_BYTES_OPUS] = frame.opus;
    return true;
}

void Session::pull_control_events() {
    ControlEvent event{};
    while (control_.poll_event(event)) on_control_event(event);
}

void Session::on_control_event(const ControlEvent &event) {
    gsc_event out{};
    switch (event.kind) {
        case ControlEvent::Kind::kConnected:
            out.kind = GSC_EVENT_CONNECTED;
            push_event(out);
            start_video(now_us_);
            return;
        case ControlEvent::Kind::kTerminated:
            on_control_end(event);
            return;
        case ControlEvent::Kind::kRumble:
            out.kind = GSC_EVENT_RUMBLE;
            out.u.rumble.controller = event.rumble.controller;
            out.u.rumble.low_frequency = event.rumble.low_frequency;
            out.u.rumble.high_frequency = event.rumble.high_frequency;
            push_event(out);
            return;
        case ControlEvent::Kind::kHdrMode:
            out.kind = GSC_EVENT_HDR_MODE;
            out.u.hdr.enabled = event.hdr.enabled ? 1 : 0;
            push_event(out);
            return;
        case ControlEvent::Kind::kRumbleTriggers:
            // No trigger motors on the TV's controllers' path yet: counted by the control stream.
            return;
    }
}

// How the control stream's end becomes the session's (gsc_session.h, GSC_TERMINATED_*).
void Session::on_control_end(const ControlEvent &event) {
    const uint32_t code = event.termination.host_code;
    switch (event.termination.cause) {
        case ControlTerminationCause::kHostTerminated: {
            // Sunshine's only code is "server closed normally"; the short form's is "intended" (§4.4.15).
            const bool normal = event.termination.extended_code ? code == kHostCodeServerClosed : code == kHostCodeIntended;
            terminate(GSC_TERMINATED_HOST, GSC_ERR_CONTROL_HOST_TERMINATED, true, code, normal);
            return;
        }
        case ControlTerminationCause::kHostDisconnected:
            terminate(GSC_TERMINATED_HOST, GSC_ERR_ENET_HOST_DISCONNECTED, false, 0);
            return;
        case ControlTerminationCause::kTimeout:
            terminate(GSC_TERMINATED_TIMEOUT, GSC_ERR_ENET_TIMEOUT, false, 0);
            return;
        case ControlTerminationCause::kConnectFailed:
            terminate(GSC_TERMINATED_TIMEOUT, GSC_ERR_ENET_CONNECT_FAILED, false, 0);
            return;
        case ControlTerminationCause::kLocal:
            // Only after close(), which only a termination calls: then this changes nothing.
            terminate(GSC_TERMINATED_PROTOCOL, GSC_ERR_CONTROL_ENDED, false, 0);
            return;
    }
}

void Session::terminate(uint32_t reason, gsc_status status, bool has_host_code, uint32_t host_code, bool normal_code) {
    if (state_ == SessionState::kTerminated) return;
    state_ = SessionState::kTerminated;
    last_error_ = status;
    termination_ = gsc_event{};
    termination_.kind = GSC_EVENT_TERMINATED;
    termination_.u.terminated.reason = reason;
    termination_.u.terminated.has_host_code = has_host_code ? 1 : 0;
    termination_.u.terminated.host_code = has_host_code ? host_code : 0;
    // A host that ends the stream normally before any frame arrived ended it early: not graceful
    // (the reference client reports that as an unexpected early termination, §4.4.15).
    termination_.u.terminated.graceful = reason == GSC_TERMINATED_HOST && normal_code && frame_seen_ ? 1 : 0;
    termination_.u.terminated.status = status;
    termination_pending_ = true;
    // A stream that ended on the session's account still has the host to tell.
    if (has_control()) control_.close(now_us_);
    refresh_timers();
}

// The oldest event gives way: each later one (a rumble or HDR state) supersedes older news.
void Session::push_event(const gsc_event &event) {
    if (event_count_ == kEventQueueCapacity) {
        event_head_ = (event_head_ + 1) % kEventQueueCapacity;
        event_count_--;
        counters_.events_dropped++;
    }
    events_[(event_head_ + event_count_) % kEventQueueCapacity] = event;
    event_count_++;
}

void Session::stats(gsc_session_counters &out) const {
    const VideoCounters &v = video_.counters();
    const AudioStats &a = audio_.stats();
    out = gsc_session_counters{};
    out.video_packets = counters_.video_packets;
    out.video_bytes_lo = lo32(counters_.video_bytes);
    out.video_bytes_hi = hi32(counters_.video_bytes);
    out.video_malformed = wrap32(v.packets_malformed + counters_.video_oversize + counters_.video_undecryptable);
    out.video_decrypt_failures = counters_.video_decrypt_failures;
    out.video_stale = counters_.video_stale;
    out.video_duplicate = wrap32(v.packets_duplicate);
    out.video_late = wrap32(v.packets_late);
    out.frames_complete = wrap32(v.frames_emitted);
    out.key_frames = wrap32(v.key_frames_emitted);
    out.frames_recovered = wrap32(v.fec_blocks_recovered);
    out.frames_dropped = wrap32(v.frames_lost + v.frames_oversize + v.frames_malformed + v.frames_discarded);
    out.frames_lost = wrap32(v.frames_lost);
    out.idr_requests = wrap32(v.idr_requests);
    out.rfi_requests = wrap32(v.rfi_requests);
    out.audio_packets = counters_.audio_packets;
    out.audio_bytes_lo = lo32(counters_.audio_bytes);
    out.audio_bytes_hi = hi32(counters_.audio_bytes);
    out.audio_malformed = a.malformed + counters_.audio_oversize;
    out.audio_frames = a.frames;
    out.audio_recovered = a.recovered;
    out.audio_lost = a.lost;
    out.audio_concealed = a.concealed;
    out.audio_decrypt_failures = a.decrypt_failures;
    out.audio_decode_failures = a.decode_failures;
    out.audio_discarded = a.discarded;
    out.control_packets = counters_.control_packets;
    out.control_bytes_lo = lo32(counters_.control_bytes);
    out.control_bytes_hi = hi32(counters_.control_bytes);
    out.control_malformed = control_.malformed() + counters_.control_oversize;
    out.pings_sent = audio_ping_.sent() + video_ping_.sent();
    out.transmits = counters_.transmits;
    out.malformed = out.video_malformed + out.audio_malformed + out.control_malformed;
    out.events_dropped = counters_.events_dropped;
}

}  // namespace gsc
