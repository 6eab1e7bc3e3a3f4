// Contract in session_control.hpp.
#include "session_control.hpp"

namespace gsc {

namespace {

// GameStream clients ask for 48 ENet channels (§4.1).
constexpr uint32_t kDefaultChannelCount = 48;

// ENet's connect id is a random number (§4.6); the session's only source is its seed.
uint32_t connect_id_of(const uint8_t seed[GSC_SESSION_SEED_SIZE]) {
    uint32_t hash = 2166136261u;  // FNV-1a, 32-bit
    for (uint32_t i = 0; i < GSC_SESSION_SEED_SIZE; i++) hash = (hash ^ seed[i]) * 16777619u;
    return hash;
}

}  // namespace

gsc_status SessionControl::init(const gsc_session_config &config) {
    ControlStreamConfig c;
    static_assert(sizeof c.key == GSC_SESSION_KEY_SIZE, "the control key is the session key");
    for (uint32_t i = 0; i < GSC_SESSION_KEY_SIZE; i++) c.key[i] = config.aes_key[i];
    c.connect_data = config.control_connect_data;
    c.enet.channel_count = config.control_channel_count != 0 ? config.control_channel_count : kDefaultChannelCount;
    c.enet.connect_id = connect_id_of(config.seed);
    return stream_.init(c);
}

gsc_status SessionControl::start(uint64_t now_us) {
    now_us_ = now_us;
    return stream_.start(now_us);
}

void SessionControl::handle_datagram(const uint8_t *datagram, size_t size_bytes, uint64_t now_us) {
    if (now_us > now_us_) now_us_ = now_us;
    stream_.handle_datagram(datagram, size_bytes, now_us);
    flush_requests(now_us_);
}

void SessionControl::handle_timeout(uint64_t now_us) {
    if (now_us > now_us_) now_us_ = now_us;
    stream_.handle_timeout(now_us);
    flush_requests(now_us_);
}

uint64_t SessionControl::next_deadline_us() const { return transmit_due_ ? now_us_ : stream_.next_deadline_us(); }

bool SessionControl::poll_transmit(const uint8_t *&bytes, size_t &size_bytes) {
    const size_t size = stream_.poll_transmit(transmit_, sizeof transmit_);
    if (size == 0) {
        transmit_due_ = false;
        return false;
    }
    bytes = transmit_;
    size_bytes = size;
    return true;
}

bool SessionControl::poll_event(ControlEvent &out) {
    if (!stream_.poll_event(out)) return false;
    // The start messages open with an IDR request (§4.4.1): nothing older needs asking again.
    if (out.kind == ControlEvent::Kind::kConnected) idr_waiting_ = rfi_waiting_ = false;
    return true;
}

void SessionControl::request_idr(uint64_t now_us) {
    idr_waiting_ = true;
    rfi_waiting_ = false;
    flush_requests(now_us);
}

void SessionControl::request_rfi(uint32_t first_frame, uint32_t last_frame, uint64_t now_us) {
    if (idr_waiting_) return;  // the IDR answers this loss too
    if (!rfi_waiting_) rfi_first_ = first_frame;
    rfi_last_ = last_frame;
    rfi_waiting_ = true;
    flush_requests(now_us);
}

void SessionControl::close(uint64_t now_us) {
    if (now_us > now_us_) now_us_ = now_us;
    idr_waiting_ = rfi_waiting_ = false;
    stream_.stop(now_us_);
    transmit_due_ = true;
}

void SessionControl::flush_requests(uint64_t now_us) {
    if (now_us > now_us_) now_us_ = now_us;
    if (stream_.state() != ControlState::kStreaming) return;
    if (idr_waiting_ && stream_.request_idr(now_us_) == GSC_OK) {
        idr_waiting_ = false;
        transmit_due_ = true;
    }
    if (rfi_waiting_ && stream_.request_rfi(rfi_first_, rfi_last_, now_us_) == GSC_OK) {
        rfi_waiting_ = false;
        transmit_due_ = true;
    }
}

uint32_t SessionControl::malformed() const {
    const ControlStats s = stream_.stats();
    return s.not_encrypted + s.malformed + s.too_large + s.auth_failures + s.enet.malformed + s.enet.foreign +
           s.enet.unsupported;
}

}  // namespace gsc
