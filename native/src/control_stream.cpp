#include "control_stream.hpp"

namespace gsc {

namespace {

constexpr uint32_t kMinPingIntervalUs = 10000;
constexpr uint32_t kMaxPingIntervalUs = 1000000;

ControlTerminationCause cause_of(EnetDisconnectReason reason) {
    switch (reason) {
        case EnetDisconnectReason::kLocal:
            return ControlTerminationCause::kLocal;
        case EnetDisconnectReason::kRemote:
            return ControlTerminationCause::kHostDisconnected;
        case EnetDisconnectReason::kTimeout:
            return ControlTerminationCause::kTimeout;
        case EnetDisconnectReason::kConnectTimeout:
        case EnetDisconnectReason::kRefused:
            break;
    }
    return ControlTerminationCause::kConnectFailed;
}

}  // namespace

gsc_status ControlStream::init(const ControlStreamConfig &config) {
    if (initialized_) return GSC_ERR_BAD_STATE;
    if (config.ping_interval_us < kMinPingIntervalUs || config.ping_interval_us > kMaxPingIntervalUs) {
        return GSC_ERR_BAD_ARGUMENT;
    }
    // Every message must fit one ENet packet.
    if (config.enet.max_packet_bytes < kControlMaxEnvelopeBytes) return GSC_ERR_BAD_ARGUMENT;
    const gsc_status status = enet_.init(config.enet);
    if (status != GSC_OK) return status;
    config_ = config;
    initialized_ = true;
    update_timers();
    return GSC_OK;
}

gsc_status ControlStream::start(uint64_t now_us) {
    if (!initialized_ || state_ != ControlState::kIdle) return GSC_ERR_BAD_STATE;
    now_us_ = now_us;
    const gsc_status status = enet_.connect(config_.connect_data, now_us);
    if (status != GSC_OK) return status;
    state_ = ControlState::kConnecting;
    update_timers();
    return GSC_OK;
}

void ControlStream::handle_datagram(const uint8_t *datagram, size_t size_bytes, uint64_t now_us) {
    if (!initialized_) return;
    if (now_us > now_us_) now_us_ = now_us;
    enet_.receive(datagram, size_bytes, now_us);
    pump();
    update_timers();
}

void ControlStream::handle_timeout(uint64_t now_us) {
    if (!initialized_) return;
    if (now_us > now_us_) now_us_ = now_us;
    enet_.handle_timeout(now_us);
    pump();
    if (state_ == ControlState::kStreaming && deadlines_[kTimerPeriodicPing] <= now_us_) {
        send_ping_batch();
        next_ping_us_ += config_.ping_interval_us;
        // Far behind (the caller slept): start the cadence again from now rather than burst.
        if (next_ping_us_ <= now_us_) next_ping_us_ = now_us_ + config_.ping_interval_us;
    }
    update_timers();
}

size_t ControlStream::poll_transmit(uint8_t *buffer, size_t capacity_bytes) {
    if (!initialized_) return 0;
    const size_t size = enet_.poll_transmit(buffer, capacity_bytes);
    update_timers();
    return size;
}

bool ControlStream::poll_event(ControlEvent &out) {
    if (event_count_ == 0) return false;
    out = events_[event_head_];
    event_head_ = (event_head_ + 1) % kControlMaxQueuedEvents;
    --event_count_;
    return true;
}

uint64_t ControlStream::next_deadline_us() const {
    uint64_t next = enet_.next_deadline_us();
    for (uint64_t deadline : deadlines_) next = deadline < next ? deadline : next;
    return next;
}

gsc_status ControlStream::request_idr(uint64_t now_us) {
    if (state_ != ControlState::kStreaming) return GSC_ERR_BAD_STATE;
    if (now_us > now_us_) now_us_ = now_us;
    uint8_t payload[kControlIdrRequestBytes];
    const size_t size = control_encode_idr_request(payload);
    const gsc_status status =
        send_sealed(kControlTypeRequestIdr, payload, size, kControlChannelUrgent, EnetDelivery::kReliable);
    if (status == GSC_OK) ++stats_.idr_requests;
    update_timers();
    return status;
}

gsc_status ControlStream::request_rfi(uint32_t first_frame, uint32_t last_frame, uint64_t now_us) {
    if (state_ != ControlState::kStreaming) return GSC_ERR_BAD_STATE;
    if (now_us > now_us_) now_us_ = now_us;
    uint8_t payload[kControlRfiBytes];
    const size_t size = control_encode_rfi(first_frame, last_frame, payload);
    const gsc_status status =
        send_sealed(kControlTypeInvalidateRefFrames, payload, size, kControlChannelUrgent, EnetDelivery::kReliable);
    if (status == GSC_OK) ++stats_.rfi_requests;
    update_timers();
    return status;
}

gsc_status ControlStream::report_fec_status(const ControlFecStatus &status, uint64_t now_us) {
    if (state_ != ControlState::kStreaming || (config_.client_feature_flags & kControlClientFeatureFecStatus) == 0) {
        ++stats_.fec_status_dropped;
        return GSC_ERR_BAD_STATE;
    }
    if (now_us > now_us_) now_us_ = now_us;
    if (fec_pending_count_ == kControlMaxFecStatusPerPing) {
        ++stats_.fec_status_dropped;
        return GSC_OK;
    }
    fec_pending_[fec_pending_count_++] = status;
    return GSC_OK;
}

gsc_status ControlStream::send_message(uint16_t type, const uint8_t *payload, size_t payload_bytes, uint8_t channel,
                                       EnetDelivery delivery, uint64_t now_us) {
    if (state_ != ControlState::kStreaming) return GSC_ERR_BAD_STATE;
    if (payload == nullptr && payload_bytes != 0) return GSC_ERR_NULL_ARGUMENT;
    if (payload_bytes > kControlMaxPayloadBytes) return GSC_ERR_BAD_LENGTH;
    if (channel >= enet_.channel_count()) return GSC_ERR_BAD_ARGUMENT;
    if (now_us > now_us_) now_us_ = now_us;
    const gsc_status status = send_sealed(type, payload, payload_bytes, channel, delivery);
    update_timers();
    return status;
}

void ControlStream::stop(uint64_t now_us) {
    if (state_ != ControlState::kConnecting && state_ != ControlState::kStreaming) return;
    if (now_us > now_us_) now_us_ = now_us;
    state_ = ControlState::kStopping;
    enet_.disconnect(now_us);
    pump();
    update_timers();
}

ControlStats ControlStream::stats() const {
    ControlStats out = stats_;
    out.enet = enet_.stats();
    return out;
}

// Drains the ENet peer's events into ours.
void ControlStream::pump() {
    EnetEvent event{};
    while (enet_.poll_event(event)) {
        switch (event.kind) {
            case EnetEvent::Kind::kConnected:
                on_connected();
                break;
            case EnetEvent::Kind::kReceived:
                on_packet(event);
                break;
            case EnetEvent::Kind::kDisconnected:
                on_closed(event.reason);
                break;
        }
    }
}

void ControlStream::on_connected() {
    if (state_ != ControlState::kConnecting) return;
    state_ = ControlState::kStreaming;
    ControlEvent connected{};
    connected.kind = ControlEvent::Kind::kConnected;
    push_event(connected);
    uint8_t payload[kControlIdrRequestBytes];
    size_t size = control_encode_idr_request(payload);
    (void)send_sealed(kControlTypeRequestIdr, payload, size, kControlChannelGeneric, EnetDelivery::kReliable);
    size = control_encode_start_b(payload);
    (void)send_sealed(kControlTypeStartB, payload, size, kControlChannelGeneric, EnetDelivery::kReliable);
    send_ping_batch();
    next_ping_us_ = now_us_ + config_.ping_interval_us;
}

void ControlStream::on_packet(const EnetEvent &event) {
    if (state_ == ControlState::kEnded) return;
    ControlMessage message{};
    switch (control_open(config_.key, ControlDirection::kHostToClient, event.data, event.size_bytes, open_buffer_,
                         sizeof open_buffer_, message)) {
        case ControlOpenResult::kOk:
            break;
        case ControlOpenResult::kNotEnvelope:
            ++stats_.not_encrypted;
            return;
        case ControlOpenResult::kMalformed:
            ++stats_.malformed;
            return;
        case ControlOpenResult::kTooLarge:
            ++stats_.too_large;
            return;
        case ControlOpenResult::kAuthFailed:
            ++stats_.auth_failures;
            return;
    }
    ControlEvent decoded{};
    switch (control_decode_host_message(message.type, message.payload, message.payload_bytes, decoded)) {
        case ControlDecodeResult::kEvent:
            break;
        case ControlDecodeResult::kIgnored:
            ++stats_.messages_received;
            ++stats_.ignored_messages;
            return;
        case ControlDecodeResult::kUnknown:
            ++stats_.messages_received;
            ++stats_.unknown_messages;
            return;
        case ControlDecodeResult::kMalformed:
            ++stats_.malformed;
            return;
    }
    ++stats_.messages_received;
    switch (decoded.kind) {
        case ControlEvent::Kind::kTerminated:
            ++stats_.terminations;
            end(ControlTerminationCause::kHostTerminated, decoded.termination.host_code, decoded.termination.extended_code);
            // §4.4.15: the host may not acknowledge a disconnect any more; drop the peer now.
            enet_.disconnect_now(now_us_);
            return;
        case ControlEvent::Kind::kRumble:
            ++stats_.rumble;
            break;
        case ControlEvent::Kind::kRumbleTriggers:
            ++stats_.rumble_triggers;
            break;
        case ControlEvent::Kind::kHdrMode:
            ++stats_.hdr_mode;
            break;
        case ControlEvent::Kind::kConnected:
            break;
    }
    push_event(decoded);
}

void ControlStream::on_closed(EnetDisconnectReason reason) {
    if (state_ == ControlState::kEnded) return;
    end(cause_of(reason), 0, false);
}

void ControlStream::end(ControlTerminationCause cause, uint32_t host_code, bool extended_code) {
    state_ = ControlState::kEnded;
    fec_pending_count_ = 0;
    ControlEvent terminated{};
    terminated.kind = ControlEvent::Kind::kTerminated;
    terminated.termination.cause = cause;
    terminated.termination.host_code = host_code;
    terminated.termination.extended_code = extended_code;
    push_event(terminated);
}

void ControlStream::send_ping_batch() {
    uint8_t payload[kControlFecStatusBytes];
    size_t size = control_encode_periodic_ping(payload);
    if (send_sealed(kControlTypePeriodicPing, payload, size, kControlChannelGeneric, EnetDelivery::kReliable) == GSC_OK) {
        ++stats_.pings_sent;
    }
    for (uint32_t i = 0; i < fec_pending_count_; ++i) {
        size = control_encode_fec_status(fec_pending_[i], payload);
        if (send_sealed(kControlTypeFrameFecStatus, payload, size, kControlChannelGeneric, EnetDelivery::kUnsequenced) ==
            GSC_OK) {
            ++stats_.fec_status_sent;
        } else {
            ++stats_.fec_status_dropped;
        }
    }
    fec_pending_count_ = 0;
}

gsc_status ControlStream::send_sealed(uint16_t type, const uint8_t *payload, size_t payload_bytes, uint8_t channel,
                                      EnetDelivery delivery) {
    // Every sealed message takes a new sequence number, sent or not, so no nonce is ever
    // used twice with the launch key.
    const uint32_t sequence = send_sequence_++;
    const size_t size = control_seal(config_.key, sequence, ControlDirection::kClientToHost, type, payload, payload_bytes,
                                     seal_buffer_, sizeof seal_buffer_);
    if (size == 0) {
        ++stats_.send_failures;
        return GSC_ERR_BAD_LENGTH;
    }
    const gsc_status status = enet_.send(channel, delivery, seal_buffer_, size, now_us_);
    if (status != GSC_OK) {
        ++stats_.send_failures;
        return status;
    }
    ++stats_.messages_sent;
    return GSC_OK;
}

void ControlStream::push_event(const ControlEvent &event) {
    if (event_count_ == kControlMaxQueuedEvents) {
        ++stats_.events_dropped;
        return;
    }
    events_[(event_head_ + event_count_) % kControlMaxQueuedEvents] = event;
    ++event_count_;
}

void ControlStream::update_timers() {
    deadlines_[kTimerPeriodicPing] = state_ == ControlState::kStreaming ? next_ping_us_ : UINT64_MAX;
}

}  // namespace gsc
