// Contract in session_control.hpp.
#include "session_control.hpp"

namespace gsc {

gsc_status SessionControl::init(const gsc_session_config &) { return GSC_OK; }

void SessionControl::start(uint64_t) {}

void SessionControl::handle_datagram(const uint8_t *, size_t, uint64_t) {}

void SessionControl::handle_timeout(uint64_t) {}

bool SessionControl::poll_transmit(const uint8_t *&, size_t &) { return false; }

bool SessionControl::poll_event(ControlEvent &) { return false; }

void SessionControl::request_idr() { idr_requests_++; }

void SessionControl::request_rfi(uint32_t, uint32_t) { rfi_requests_++; }

void SessionControl::close(uint64_t) {}

}  // namespace gsc
