// One streaming session (contract in gsc_session.h): the video, audio and control paths of a
// stream behind one sans-IO surface.
//
// Theory of operation. The session owns a VideoReceiver (with a VideoDecryptor in front of it
// when video is encrypted, §2.9), an AudioReceiver sharing the video's Reed-Solomon tables, the
// control stream (SessionControl) and one UdpPinger per media stream. It has three states:
//   kIdle       created; no time seen yet. The first input with a time starts it.
//   kRunning    audio pings run from the start (§1.3); video (pings, watchdog) starts when
//               the control stream reports it is connected, or at once without one.
//   kTerminated a fatal condition or stop() ended it: the status is sticky, GSC_EVENT_TERMINATED
//               is raised once, after every other event; video and audio are ignored, and only
//               the control stream still runs, to say goodbye to the host.
// Every deadline lives in one table (SessionTimer), refreshed after each input from the parts
// that own a deadline; the session's deadline is its minimum. Outputs are pulled: transmits
// from control, then audio pings, then video pings; events from the session's own queue, then
// the video receiver, then the audio receiver. A recovery request (IDR/RFI) that comes out of
// the video receiver goes straight to the control stream: after a video datagram the session
// pulls video outputs up to the first access unit at once, so the requests raised by that
// datagram are sent in the same drain.
#ifndef GSC_SESSION_HPP
#define GSC_SESSION_HPP

#include <cstddef>
#include <cstdint>
#include <memory>

#include "audio_receiver.hpp"
#include "gsc_session.h"
#include "session_control.hpp"
#include "udp_ping.hpp"
#include "video_decrypt.hpp"
#include "video_receiver.hpp"

namespace gsc {

enum class SessionTimer : uint8_t {
    kStart,         // 0 until the first input: start the session's clock
    kAudioPing,
    kVideoPing,
    kAudioReorder,  // the audio receiver's wait for a late packet
    kControl,       // whatever the control stream waits for (retransmits, pings, timeouts)
    kVideoWatchdog, // no video traffic / no complete frame (§1.5)
    kCount,
};

enum class SessionState : uint8_t { kIdle, kRunning, kTerminated };

class Session {
public:
    Session() = default;
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    [[nodiscard]] gsc_status init(const gsc_session_config &config);

    uint8_t *rx_buf(uint32_t channel, uint32_t &capacity_bytes);
    [[nodiscard]] gsc_status rx_commit(uint32_t channel, uint32_t size_bytes, uint64_t now_us);
    void handle_timeout(uint64_t now_us);
    uint32_t poll_transmit(uint32_t &channel, const uint8_t *&bytes);
    uint32_t poll_event(gsc_event &event, const uint8_t *bytes[GSC_EVENT_BYTES_COUNT]);
    uint64_t next_deadline_us() const;
    void request_idr();
    // The client leaves (gsc_session_stop): the session ends as by a fatal condition, with GSC_OK.
    void stop(uint64_t now_us);
    void stats(gsc_session_counters &out) const;
    gsc_status last_error() const { return last_error_; }

private:
    struct Counters {
        uint64_t video_bytes, audio_bytes, control_bytes;
        uint32_t video_packets, audio_packets, control_packets;
        uint32_t video_oversize, audio_oversize, control_oversize;
        uint32_t video_decrypt_failures, video_stale, video_undecryptable;
        uint32_t transmits, events_dropped;
    };
    // The session's own events (connected, terminated, rumble, HDR): few, and drained after
    // every input, so a short ring is plenty.
    static constexpr uint32_t kEventQueueCapacity = 16;
    static constexpr uint32_t kNoChannel = 0xffffffffu;

    void advance_clock(uint64_t now_us);
    void start(uint64_t now_us);
    void start_video(uint64_t now_us);
    void receive_video(uint32_t size_bytes, uint64_t now_us);
    void run_timers(uint64_t now_us);
    void refresh_timers();
    bool has_control() const { return (config_.flags & GSC_SESSION_FLAG_NO_CONTROL) == 0; }
    void pull_control_events();
    void on_control_event(const ControlEvent &event);
    void on_control_end(const ControlEvent &event);
    void terminate(uint32_t reason, gsc_status status, bool has_host_code, uint32_t host_code, bool normal_code = false);
    void push_event(const gsc_event &event);
    void prime_video();
    bool route_video(const VideoOutput &out);
    void drop_held_video();
    void note_frame();
    void fill_video_event(const VideoAccessUnit &unit, gsc_event &event, const uint8_t *bytes[]);
    bool poll_audio(gsc_event &event, const uint8_t *bytes[]);

    gsc_session_config config_{};
    SessionState state_ = SessionState::kIdle;
    gsc_status last_error_ = GSC_OK;
    uint64_t now_us_ = 0;
    uint64_t timers_[static_cast<size_t>(SessionTimer::kCount)] = {};

    VideoReceiver video_;
    AudioReceiver audio_;
    SessionControl control_;
    VideoDecryptor video_decryptor_;
    UdpPinger audio_ping_;
    UdpPinger video_ping_;
    bool video_encrypted_ = false;
    bool video_started_ = false;
    bool video_seen_ = false;
    bool frame_seen_ = false;
    // Largest datagram per channel, and the buffer for channels not written in place.
    uint32_t rx_capacity_[GSC_SESSION_CHANNEL_COUNT] = {};
    std::unique_ptr<uint8_t[]> rx_scratch_;
    uint32_t rx_channel_ = kNoChannel;
    // Frames before which every frame is finished: encrypted packets of those are stale.
    uint32_t next_frame_index_ = 0;

    // An access unit pulled ahead by prime_video() and not handed out yet.
    bool video_held_ = false;
    VideoAccessUnit held_unit_{};

    gsc_event events_[kEventQueueCapacity] = {};
    uint32_t event_head_ = 0;
    uint32_t event_count_ = 0;
    // GSC_EVENT_TERMINATED, handed out once after every other event.
    bool termination_pending_ = false;
    gsc_event termination_{};

    Counters counters_{};
};

}  // namespace gsc

#endif
