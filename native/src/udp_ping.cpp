// Contract in udp_ping.hpp.
#include "udp_ping.hpp"

#include <cstring>

namespace gsc {

namespace {

// The legacy ping, sent when RTSP gave no ping payload (§1.4).
constexpr uint8_t kLegacyPing[] = {'P', 'I', 'N', 'G'};

}  // namespace

void UdpPinger::init(const uint8_t *payload) {
    session_ping_ = payload != nullptr;
    if (session_ping_) {
        std::memcpy(datagram_, payload, kPingPayloadBytes);
        size_bytes_ = kPingMaxBytes;
    } else {
        std::memcpy(datagram_, kLegacyPing, sizeof kLegacyPing);
        size_bytes_ = sizeof kLegacyPing;
    }
}

void UdpPinger::start(uint64_t now_us) {
    if (started()) return;
    deadline_us_ = now_us;
    handle_timeout(now_us);
}

void UdpPinger::handle_timeout(uint64_t now_us) {
    if (deadline_us_ == UINT64_MAX || now_us < deadline_us_) return;
    pending_ = true;
    // Keep the cadence, but never catch up with a burst after a long stall of the caller.
    deadline_us_ += kPingIntervalUs;
    if (deadline_us_ <= now_us) deadline_us_ = now_us + kPingIntervalUs;
}

bool UdpPinger::poll(const uint8_t *&bytes, size_t &size_bytes) {
    if (!pending_) return false;
    pending_ = false;
    counter_++;
    if (session_ping_) {
        uint8_t *c = datagram_ + kPingPayloadBytes;
        c[0] = static_cast<uint8_t>(counter_ >> 24);
        c[1] = static_cast<uint8_t>(counter_ >> 16);
        c[2] = static_cast<uint8_t>(counter_ >> 8);
        c[3] = static_cast<uint8_t>(counter_);
    }
    bytes = datagram_;
    size_bytes = size_bytes_;
    return true;
}

}  // namespace gsc
