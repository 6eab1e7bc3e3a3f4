// The session's seam to the control stream (shared/protocol/data-plane.md §4; ControlStream in
// control_stream.hpp): the session's config turned into the control stream's, the connect id
// drawn from the session's seed, its datagrams written into a buffer of its own, and recovery
// requests (IDR, RFI) that cannot go out yet kept until they can.
//
// Recovery requests follow the reference client's rules (§2.8): RFI ranges wait merged into one
// (first of the earliest, last of the latest), and an IDR request replaces any waiting RFI. A
// request waits while the connection is not up, or while ENet's send slots are full; the
// start messages include an IDR request, so the connection itself answers the waiting ones.
// A request issued between drains (from poll_event) makes the next deadline "now", so that the
// caller's loop sends it at once.
#ifndef GSC_SESSION_CONTROL_HPP
#define GSC_SESSION_CONTROL_HPP

#include <cstddef>
#include <cstdint>

#include "control_stream.hpp"
#include "enet_wire.hpp"
#include "gsc_session.h"

namespace gsc {

class SessionControl {
public:
    // The largest ENet datagram (its maximum MTU, §4.6).
    static constexpr uint32_t kMaxDatagramBytes = kEnetMaxMtu;

    [[nodiscard]] gsc_status init(const gsc_session_config &config);
    // Starts connecting at now_us.
    [[nodiscard]] gsc_status start(uint64_t now_us);
    void handle_datagram(const uint8_t *datagram, size_t size_bytes, uint64_t now_us);
    void handle_timeout(uint64_t now_us);
    uint64_t next_deadline_us() const;
    // The next datagram for the control port; borrowed until the next call on this object.
    [[nodiscard]] bool poll_transmit(const uint8_t *&bytes, size_t &size_bytes);
    [[nodiscard]] bool poll_event(ControlEvent &out);
    void request_idr(uint64_t now_us);
    void request_rfi(uint32_t first_frame, uint32_t last_frame, uint64_t now_us);
    // Says goodbye to the host (ENet disconnect); the stream's own termination event follows.
    void close(uint64_t now_us);

    // Datagrams and messages the control stream dropped as malformed, unauthenticated or foreign.
    uint32_t malformed() const;

private:
    void flush_requests(uint64_t now_us);

    ControlStream stream_;
    uint8_t transmit_[kMaxDatagramBytes] = {};
    uint64_t now_us_ = 0;
    // A command was issued since the last drain: something may wait in ENet to be sent.
    bool transmit_due_ = false;
    bool idr_waiting_ = false;
    bool rfi_waiting_ = false;
    uint32_t rfi_first_ = 0;
    uint32_t rfi_last_ = 0;
};

}  // namespace gsc

#endif
