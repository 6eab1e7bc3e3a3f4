// The session's seam to the control stream (shared/protocol/data-plane.md §4): ENet to the
// host's control port, the start messages, the periodic ping, recovery requests (IDR, RFI)
// going out and host messages (termination, rumble, HDR) coming in. The session talks to the
// control stream only through this class, so that it sees one small sans-IO surface whatever
// the control stream's own shape.
//
// Until the ENet client and control stream modules land in the core, this is an inert stand-in:
// it never connects, sends nothing, and counts what it is given (requests included), so the
// session's video and audio paths work and the routing of recovery requests is observable.
#ifndef GSC_SESSION_CONTROL_HPP
#define GSC_SESSION_CONTROL_HPP

#include <cstddef>
#include <cstdint>

#include "gsc_session.h"

namespace gsc {

// What the control stream reports to the session.
struct ControlEvent {
    enum class Kind : uint8_t { kConnected, kTerminated, kRumble, kHdrMode };
    Kind kind;
    // kTerminated
    uint32_t reason;  // GSC_TERMINATED_*
    bool has_host_code;
    uint32_t host_code;
    gsc_status status;
    // kRumble
    uint16_t controller;
    uint16_t low_frequency;
    uint16_t high_frequency;
    // kHdrMode
    bool hdr_enabled;
};

class SessionControl {
public:
    // ENet's largest datagram (its maximum MTU, §4.6).
    static constexpr uint32_t kMaxDatagramBytes = 4096;
    // False while this is the stand-in: the session then starts video without waiting for a
    // connection that cannot come.
    static constexpr bool kAvailable = false;

    [[nodiscard]] gsc_status init(const gsc_session_config &config);
    // Starts connecting at now_us.
    void start(uint64_t now_us);
    void handle_datagram(const uint8_t *datagram, size_t size_bytes, uint64_t now_us);
    void handle_timeout(uint64_t now_us);
    uint64_t next_deadline_us() const { return UINT64_MAX; }
    // The next datagram for the control port; borrowed until the next call on this object.
    [[nodiscard]] bool poll_transmit(const uint8_t *&bytes, size_t &size_bytes);
    [[nodiscard]] bool poll_event(ControlEvent &out);
    void request_idr();
    void request_rfi(uint32_t first_frame, uint32_t last_frame);
    // The session ended on its own account: say goodbye to the host (ENet disconnect).
    void close(uint64_t now_us);

    // Datagrams the control stream dropped as malformed.
    uint32_t malformed() const { return malformed_; }
    // Recovery requests handed to the control stream.
    uint32_t idr_requests() const { return idr_requests_; }
    uint32_t rfi_requests() const { return rfi_requests_; }

private:
    uint32_t malformed_ = 0;
    uint32_t idr_requests_ = 0;
    uint32_t rfi_requests_ = 0;
};

}  // namespace gsc

#endif
