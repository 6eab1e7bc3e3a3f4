// The video and audio pings (shared/protocol/data-plane.md §1.4): a datagram every 500 ms from
// each stream's own socket, which tells the host where to send the stream and keeps NAT
// mappings open. With a ping payload from RTSP (X-SS-Ping-Payload) a ping is those 16 bytes
// then a big-endian counter from 1; without one it is the legacy 4 bytes "PING".
//
// Sans-IO: start(now) makes the first ping due at once; handle_timeout(now) marks a ping due
// when its time has come; poll() hands it out. Pings the caller did not drain in time merge
// into one: the host needs a recent ping, not every ping.
#ifndef GSC_UDP_PING_HPP
#define GSC_UDP_PING_HPP

#include <cstddef>
#include <cstdint>

namespace gsc {

// MCC sends a ping every 500 ms on each stream (§1.4).
constexpr uint64_t kPingIntervalUs = 500000;
constexpr size_t kPingPayloadBytes = 16;
constexpr size_t kPingCounterBytes = 4;
constexpr size_t kPingMaxBytes = kPingPayloadBytes + kPingCounterBytes;

class UdpPinger {
public:
    // `payload` is kPingPayloadBytes bytes, or nullptr for the legacy ping.
    void init(const uint8_t *payload);

    // Starts pinging: the first ping is due at now_us. A second start does nothing.
    void start(uint64_t now_us);
    bool started() const { return deadline_us_ != UINT64_MAX || pending_; }

    // Marks a ping due when now_us has reached the deadline, and sets the next one.
    void handle_timeout(uint64_t now_us);
    uint64_t next_deadline_us() const { return deadline_us_; }

    // The due ping, if any: its bytes stay valid until the next call on this object.
    [[nodiscard]] bool poll(const uint8_t *&bytes, size_t &size_bytes);

    uint32_t sent() const { return counter_; }

private:
    uint8_t datagram_[kPingMaxBytes] = {};
    size_t size_bytes_ = 0;
    bool session_ping_ = false;
    bool pending_ = false;
    uint32_t counter_ = 0;
    uint64_t deadline_us_ = UINT64_MAX;
};

}  // namespace gsc

#endif
