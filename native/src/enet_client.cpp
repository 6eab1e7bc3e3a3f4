#include "enet_client.hpp"

#include <cstring>
#include <new>

namespace gsc {

namespace {

// The client's own peer index, announced in CONNECT; the host stamps it on what it sends.
constexpr uint16_t kClientPeerIndex = 0;
// A CONNECT asks the host to choose both session ids (§4.6: 0xFF, as every ENet client sends).
constexpr uint8_t kSessionIdUnset = 0xff;
// ENet's packet-throttle defaults, sent in CONNECT and echoed in VERIFY_CONNECT (§9.1:
// "throttle 5000/2/2").
constexpr uint32_t kThrottleIntervalMs = 5000;
constexpr uint32_t kThrottleAcceleration = 2;
constexpr uint32_t kThrottleDeceleration = 2;
// BANDWIDTH_LIMIT scales the window by the peer's bandwidth: 4 KiB per 64 KiB/s (ENet's rule
// with our own outgoing bandwidth left unlimited).
constexpr uint32_t kBandwidthPerWindowStep = 65536;
// Largest data of one command, given the MTU: datagram header and the command's fixed part.
constexpr size_t kReliableOverheadBytes = kEnetMaxHeaderBytes + 6;
constexpr size_t kUnreliableOverheadBytes = kEnetMaxHeaderBytes + 8;
constexpr size_t kFragmentOverheadBytes = kEnetMaxHeaderBytes + 24;

// Config ranges (documented in EnetClientConfig).
constexpr uint32_t kMinTimeoutUs = 100000;
constexpr uint32_t kMaxTimeoutUs = 60000000;
constexpr uint32_t kMinPingIntervalUs = 10000;
constexpr uint32_t kMaxPingIntervalUs = 10000000;
constexpr uint32_t kMaxLingerUs = 10000000;
constexpr uint32_t kMinRetransmitUs = 1000;
constexpr uint32_t kMaxRetransmitUs = 10000000;

bool in_range(uint32_t value, uint32_t low, uint32_t high) { return value >= low && value <= high; }

uint32_t clamp(uint32_t value, uint32_t low, uint32_t high) { return value < low ? low : value > high ? high : value; }

bool config_valid(const EnetClientConfig &c) {
    return in_range(c.mtu, kEnetMinMtu, kEnetMaxMtu) && in_range(c.channel_count, kEnetMinChannels, kEnetMaxChannels) &&
           in_range(c.peer_timeout_us, kMinTimeoutUs, kMaxTimeoutUs) &&
           in_range(c.connect_timeout_us, kMinTimeoutUs, kMaxTimeoutUs) &&
           in_range(c.ping_interval_us, kMinPingIntervalUs, kMaxPingIntervalUs) && c.disconnect_linger_us <= kMaxLingerUs &&
           in_range(c.min_retransmit_us, kMinRetransmitUs, kMaxRetransmitUs) &&
           in_range(c.max_retransmit_us, c.min_retransmit_us, kMaxRetransmitUs) &&
           in_range(c.max_packet_bytes, 1, kEnetMaxPacketBytes) &&
           in_range(c.send_slots, kEnetMinSendSlots, kEnetMaxSendSlots) && in_range(c.reorder_slots, 1, kEnetMaxReorderSlots);
}

}  // namespace

gsc_status EnetClient::init(const EnetClientConfig &config) {
    if (initialized_) return GSC_ERR_BAD_STATE;
    if (!config_valid(config)) return GSC_ERR_BAD_ARGUMENT;
    const uint32_t slot_bytes = config.mtu - static_cast<uint32_t>(kEnetMaxHeaderBytes);
    gsc_status status = sends_.init(config.send_slots, slot_bytes);
    if (status != GSC_OK) return status;
    status = receives_.init(EnetReceiveConfig{config.channel_count, config.reorder_slots, config.mtu, config.max_packet_bytes});
    if (status != GSC_OK) return status;
    out_reliable_.reset(new (std::nothrow) uint16_t[config.channel_count]());
    out_unreliable_.reset(new (std::nothrow) uint16_t[config.channel_count]());
    if (!out_reliable_ || !out_unreliable_) return GSC_ERR_OUT_OF_MEMORY;
    config_ = config;
    mtu_ = config.mtu;
    channel_count_ = config.channel_count;
    initialized_ = true;
    update_timers();
    return GSC_OK;
}

gsc_status EnetClient::connect(uint32_t connect_data, uint64_t now_us) {
    if (!initialized_ || state_ != EnetState::kIdle) return GSC_ERR_BAD_STATE;
    advance_clock(now_us);
    EnetCommand c{};
    c.type = EnetCommandType::kConnect;
    c.flags = kEnetFlagAcknowledge;
    c.channel = kEnetControlChannel;
    c.reliable_seq = ++out_control_seq_;
    c.outgoing_peer_id = kClientPeerIndex;
    c.incoming_session_id = kSessionIdUnset;
    c.outgoing_session_id = kSessionIdUnset;
    c.mtu = config_.mtu;
    c.window_size = kEnetMaxWindowBytes;
    c.channel_count = config_.channel_count;
    c.throttle_interval = kThrottleIntervalMs;
    c.throttle_acceleration = kThrottleAcceleration;
    c.throttle_deceleration = kThrottleDeceleration;
    c.connect_id = config_.connect_id;
    c.user_data = connect_data;
    if (!sends_.push(c)) return GSC_ERR_BUFFER_TOO_SMALL;
    connect_seq_ = c.reliable_seq;
    state_ = EnetState::kConnecting;
    connect_started_us_ = now_us_;
    update_timers();
    return GSC_OK;
}

void EnetClient::receive(const uint8_t *datagram, size_t size_bytes, uint64_t now_us) {
    if (!initialized_) return;
    advance_clock(now_us);
    receives_.begin_input();
    ++stats_.datagrams_received;
    EnetDatagramParser parser(datagram, size_bytes);
    EnetDatagramHeader header{};
    if (datagram == nullptr || size_bytes > kEnetMaxMtu || !parser.header(header)) {
        ++stats_.malformed;
    } else if (state_ == EnetState::kIdle) {
        ++stats_.ignored;
    } else if (header.compressed) {
        ++stats_.unsupported;  // neither side configures compression (§4.6)
    } else if (header.peer_id != kClientPeerIndex ||
               (outgoing_peer_id_ != kEnetPeerIdNone && header.session_id != incoming_session_)) {
        ++stats_.foreign;
    } else {
        if (state_ != EnetState::kClosed) last_receive_us_ = now_us_;
        EnetCommand command{};
        for (;;) {
            const EnetDatagramParser::Result result = parser.next(command);
            if (result == EnetDatagramParser::Result::kEnd) break;
            if (result == EnetDatagramParser::Result::kMalformed || !process(header, command)) {
                ++stats_.malformed;
                break;
            }
        }
    }
    update_timers();
}

// Returns false when the command breaks the protocol (the rest of the datagram is dropped).
bool EnetClient::process(const EnetDatagramHeader &header, const EnetCommand &command) {
    // An acknowledgement echoes the sent time, so a command asking for one must come with it.
    if ((command.flags & kEnetFlagAcknowledge) != 0 && !header.has_sent_time) return false;
    if (state_ == EnetState::kClosed) {
        // Only a repeated DISCONNECT still deserves an answer (our acknowledgement was lost).
        if (command.type == EnetCommandType::kDisconnect) {
            queue_ack(header, command);
        } else {
            ++stats_.ignored;
        }
        return true;
    }
    if (state_ == EnetState::kConnecting && command.type != EnetCommandType::kVerifyConnect &&
        command.type != EnetCommandType::kDisconnect && command.type != EnetCommandType::kAcknowledge) {
        ++stats_.ignored;
        return true;
    }
    switch (command.type) {
        case EnetCommandType::kAcknowledge:
            process_acknowledge(command);
            return true;
        case EnetCommandType::kConnect:
            ++stats_.ignored;  // a client accepts no connection
            return true;
        case EnetCommandType::kVerifyConnect:
            if (state_ == EnetState::kConnecting && !process_verify(command)) return true;
            queue_ack(header, command);
            return true;
        case EnetCommandType::kDisconnect:
            queue_ack(header, command);
            close(EnetDisconnectReason::kRemote, command.user_data);
            return true;
        case EnetCommandType::kPing:
        case EnetCommandType::kThrottleConfigure:
            queue_ack(header, command);
            return true;
        case EnetCommandType::kBandwidthLimit:
            window_bytes_ = command.incoming_bandwidth == 0
                                ? kEnetMaxWindowBytes
                                : clamp((command.incoming_bandwidth / kBandwidthPerWindowStep) * kEnetMinWindowBytes,
                                        kEnetMinWindowBytes, kEnetMaxWindowBytes);
            queue_ack(header, command);
            return true;
        case EnetCommandType::kSendUnreliableFragment:
            ++stats_.unsupported;  // hosts send the control stream reliable (§4.1)
            return true;
        case EnetCommandType::kSendReliable:
        case EnetCommandType::kSendUnreliable:
        case EnetCommandType::kSendFragment:
        case EnetCommandType::kSendUnsequenced:
            break;
    }
    const EnetReceiveQueue::Verdict verdict = process_send(command);
    if (verdict == EnetReceiveQueue::Verdict::kMalformed) return false;
    if (verdict != EnetReceiveQueue::Verdict::kRefused) queue_ack(header, command);
    return true;
}

bool EnetClient::process_verify(const EnetCommand &c) {
    const bool matches = c.connect_id == config_.connect_id && c.throttle_interval == kThrottleIntervalMs &&
                         c.throttle_acceleration == kThrottleAcceleration &&
                         c.throttle_deceleration == kThrottleDeceleration &&
                         in_range(c.channel_count, kEnetMinChannels, kEnetMaxChannels) &&
                         c.outgoing_peer_id < kEnetPeerIdNone;
    if (!matches) {
        close(EnetDisconnectReason::kRefused, 0);
        return false;
    }
    const EnetAckResult connect_ack = sends_.acknowledge(kEnetControlChannel, connect_seq_, 0, now_us_);
    if (connect_ack.has_rtt_sample) rtt_.sample(connect_ack.rtt_us);
    outgoing_peer_id_ = c.outgoing_peer_id;
    incoming_session_ = static_cast<uint8_t>(c.incoming_session_id & kEnetSessionIdMask);
    outgoing_session_ = static_cast<uint8_t>(c.outgoing_session_id & kEnetSessionIdMask);
    const uint32_t host_mtu = clamp(c.mtu, kEnetMinMtu, kEnetMaxMtu);
    mtu_ = host_mtu < config_.mtu ? host_mtu : config_.mtu;
    window_bytes_ = clamp(c.window_size, kEnetMinWindowBytes, kEnetMaxWindowBytes);
    channel_count_ = c.channel_count < config_.channel_count ? c.channel_count : config_.channel_count;
    receives_.reset(channel_count_);
    state_ = EnetState::kConnected;
    connected_event_ = true;
    return true;
}

void EnetClient::process_acknowledge(const EnetCommand &c) {
    ++stats_.acks_received;
    const EnetAckResult result = sends_.acknowledge(c.channel, c.received_reliable_seq, c.received_sent_time, now_us_);
    if (!result.matched) {
        ++stats_.acks_unmatched;
        return;
    }
    if (result.has_rtt_sample) rtt_.sample(result.rtt_us);
    if (result.type == EnetCommandType::kDisconnect && state_ == EnetState::kDisconnecting) {
        close(EnetDisconnectReason::kLocal, 0);
    }
}

EnetReceiveQueue::Verdict EnetClient::process_send(const EnetCommand &c) {
    switch (c.type) {
        case EnetCommandType::kSendUnreliable:
            return receives_.unreliable(c);
        case EnetCommandType::kSendUnsequenced:
            return receives_.unsequenced(c);
        default:
            return receives_.reliable(c);
    }
}

void EnetClient::queue_ack(const EnetDatagramHeader &header, const EnetCommand &command) {
    if ((command.flags & kEnetFlagAcknowledge) == 0) return;
    if (ack_count_ == kMaxPendingAcks) {
        ++stats_.acks_dropped;  // the host sends the command again; we acknowledge that copy
        return;
    }
    acks_[(ack_head_ + ack_count_) % kMaxPendingAcks] = PendingAck{command.channel, command.reliable_seq, header.sent_time};
    ++ack_count_;
}

void EnetClient::handle_timeout(uint64_t now_us) {
    if (!initialized_) return;
    advance_clock(now_us);
    receives_.begin_input();
    update_timers();
    if (deadlines_[kTimerPeerTimeout] <= now_us_) {
        close(state_ == EnetState::kConnecting ? EnetDisconnectReason::kConnectTimeout : EnetDisconnectReason::kTimeout, 0);
        ack_count_ = 0;  // nobody is listening any more
    } else if (deadlines_[kTimerLinger] <= now_us_) {
        close(EnetDisconnectReason::kLocal, 0);
    } else if (deadlines_[kTimerKeepalive] <= now_us_) {
        if (push_control(EnetCommandType::kPing, kEnetFlagAcknowledge, 0, false)) ++stats_.pings_sent;
    }
    // kTimerRetransmit needs nothing here: poll_transmit() resends what is due.
    update_timers();
}

size_t EnetClient::poll_transmit(uint8_t *buffer, size_t capacity_bytes) {
    if (!initialized_ || state_ == EnetState::kIdle || buffer == nullptr) return 0;
    const size_t limit = capacity_bytes < mtu_ ? capacity_bytes : mtu_;
    const bool have_peer_id = outgoing_peer_id_ != kEnetPeerIdNone;
    const uint16_t peer_id = have_peer_id ? outgoing_peer_id_ : kEnetPeerIdNone;
    const uint8_t session = have_peer_id ? outgoing_session_ : 0;
    EnetDatagramWriter writer(buffer, limit);
    if (!writer.header(peer_id, session, true, sent_time())) return 0;
    uint32_t commands = 0;
    while (ack_count_ != 0 && commands < kEnetMaxCommandsPerDatagram) {
        const PendingAck &ack = acks_[ack_head_];
        if (!writer.acknowledge(ack.channel, ack.reliable_seq, ack.sent_time)) break;
        ack_head_ = (ack_head_ + 1) % kMaxPendingAcks;
        --ack_count_;
        ++stats_.acks_sent;
        ++commands;
    }
    const EnetFillLimits limits{now_us_,     sent_time(), kEnetMaxCommandsPerDatagram - commands, window_bytes_,
                                config_.min_retransmit_us, config_.max_retransmit_us};
    bool wrote_reliable = false;
    commands += sends_.fill(writer, limits, rtt_, wrote_reliable);
    if (commands == 0) return 0;
    size_t size = writer.size();
    if (!wrote_reliable) {
        // Nothing asks for an acknowledgement: the sent time is left out (as ENet does).
        std::memmove(buffer + 2, buffer + kEnetMaxHeaderBytes, size - kEnetMaxHeaderBytes);
        size -= 2;
        EnetDatagramWriter header_only(buffer, 2);
        (void)header_only.header(peer_id, session, false, 0);
    }
    ++stats_.datagrams_sent;
    update_timers();
    return size;
}

gsc_status EnetClient::send(uint8_t channel, EnetDelivery delivery, const uint8_t *data, size_t size_bytes,
                            uint64_t now_us) {
    if (!initialized_ || state_ != EnetState::kConnected) return GSC_ERR_BAD_STATE;
    if (channel >= channel_count_) return GSC_ERR_BAD_ARGUMENT;
    if (data == nullptr && size_bytes != 0) return GSC_ERR_NULL_ARGUMENT;
    if (size_bytes > config_.max_packet_bytes) return GSC_ERR_BAD_LENGTH;
    advance_clock(now_us);
    EnetCommand c{};
    c.channel = channel;
    c.data = data;
    if (delivery != EnetDelivery::kReliable) {
        if (size_bytes > mtu_ - kUnreliableOverheadBytes) return GSC_ERR_BAD_LENGTH;
        if (sends_.free_slots() == 0) return GSC_ERR_BUFFER_TOO_SMALL;
        c.data_size = static_cast<uint16_t>(size_bytes);
        if (delivery == EnetDelivery::kUnsequenced) {
            c.type = EnetCommandType::kSendUnsequenced;
            c.flags = kEnetFlagUnsequenced;
            c.unreliable_seq = ++out_unsequenced_group_;
        } else {
            c.type = EnetCommandType::kSendUnreliable;
            c.reliable_seq = out_reliable_[channel];
            c.unreliable_seq = ++out_unreliable_[channel];
        }
        (void)sends_.push(c);
        update_timers();
        return GSC_OK;
    }
    c.flags = kEnetFlagAcknowledge;
    if (size_bytes <= mtu_ - kReliableOverheadBytes) {
        if (sends_.free_slots() == 0) return GSC_ERR_BUFFER_TOO_SMALL;
        c.type = EnetCommandType::kSendReliable;
        c.reliable_seq = ++out_reliable_[channel];
        c.data_size = static_cast<uint16_t>(size_bytes);
        out_unreliable_[channel] = 0;
        (void)sends_.push(c);
        update_timers();
        return GSC_OK;
    }
    const size_t piece = mtu_ - kFragmentOverheadBytes;
    const size_t count = (size_bytes + piece - 1) / piece;
    if (count > sends_.free_slots()) return GSC_ERR_BUFFER_TOO_SMALL;
    c.type = EnetCommandType::kSendFragment;
    c.start_seq = static_cast<uint16_t>(out_reliable_[channel] + 1);
    c.fragment_count = static_cast<uint32_t>(count);
    c.total_length = static_cast<uint32_t>(size_bytes);
    for (size_t i = 0; i < count; ++i) {
        c.reliable_seq = ++out_reliable_[channel];
        c.fragment_number = static_cast<uint32_t>(i);
        c.fragment_offset = static_cast<uint32_t>(i * piece);
        c.data = data + i * piece;
        c.data_size = static_cast<uint16_t>(i + 1 < count ? piece : size_bytes - i * piece);
        (void)sends_.push(c);
    }
    out_unreliable_[channel] = 0;
    update_timers();
    return GSC_OK;
}

void EnetClient::disconnect(uint64_t now_us) {
    if (!initialized_) return;
    if (state_ == EnetState::kConnecting) {
        disconnect_now(now_us);
        return;
    }
    if (state_ != EnetState::kConnected) return;
    advance_clock(now_us);
    if (!push_control(EnetCommandType::kDisconnect, kEnetFlagAcknowledge, 0, true)) {
        disconnect_now(now_us);
        return;
    }
    state_ = EnetState::kDisconnecting;
    disconnect_started_us_ = now_us_;
    update_timers();
}

void EnetClient::disconnect_now(uint64_t now_us) {
    if (!initialized_ || state_ == EnetState::kIdle || state_ == EnetState::kClosed) return;
    advance_clock(now_us);
    close(EnetDisconnectReason::kLocal, 0);
    // Without a peer id from VERIFY_CONNECT the host could not tell whom it is from.
    if (outgoing_peer_id_ != kEnetPeerIdNone) {
        (void)push_control(EnetCommandType::kDisconnect, kEnetFlagUnsequenced, 0, false);
    }
    update_timers();
}

bool EnetClient::poll_event(EnetEvent &out) {
    out = EnetEvent{};
    if (connected_event_) {
        connected_event_ = false;
        out.kind = EnetEvent::Kind::kConnected;
        return true;
    }
    EnetReceivedPacket packet{};
    if (receives_.poll(packet)) {
        out.kind = EnetEvent::Kind::kReceived;
        out.channel = packet.channel;
        out.data = packet.data;
        out.size_bytes = packet.size_bytes;
        return true;
    }
    if (disconnected_event_) {
        disconnected_event_ = false;
        out.kind = EnetEvent::Kind::kDisconnected;
        out.reason = disconnect_reason_;
        out.disconnect_data = disconnect_data_;
        return true;
    }
    return false;
}

uint64_t EnetClient::next_deadline_us() const {
    uint64_t next = UINT64_MAX;
    for (uint64_t deadline : deadlines_) next = deadline < next ? deadline : next;
    return next;
}

EnetStats EnetClient::stats() const {
    EnetStats out = stats_;
    out.retransmissions = sends_.retransmissions();
    out.rtt_us = rtt_.smoothed_us();
    out.rtt_variance_us = rtt_.variance_us();
    out.receive = receives_.stats();
    return out;
}

void EnetClient::advance_clock(uint64_t now_us) {
    if (now_us > now_us_) now_us_ = now_us;
}

bool EnetClient::push_control(EnetCommandType type, uint8_t flags, uint32_t user_data, bool wait_for_idle) {
    EnetCommand c{};
    c.type = type;
    c.flags = flags;
    c.channel = kEnetControlChannel;
    c.reliable_seq = ++out_control_seq_;
    c.user_data = user_data;
    return sends_.push(c, wait_for_idle);
}

void EnetClient::close(EnetDisconnectReason reason, uint32_t data) {
    if (state_ == EnetState::kClosed) return;
    state_ = EnetState::kClosed;
    sends_.clear();
    disconnected_event_ = true;
    disconnect_reason_ = reason;
    disconnect_data_ = data;
}

void EnetClient::update_timers() {
    for (uint64_t &deadline : deadlines_) deadline = UINT64_MAX;
    const bool live = state_ == EnetState::kConnecting || state_ == EnetState::kConnected ||
                      state_ == EnetState::kDisconnecting;
    if (!live) return;
    deadlines_[kTimerRetransmit] = sends_.next_retransmit_us();
    if (state_ == EnetState::kConnecting) {
        deadlines_[kTimerPeerTimeout] = connect_started_us_ + config_.connect_timeout_us;
        return;
    }
    const uint64_t silent = last_receive_us_ + config_.peer_timeout_us;
    const uint64_t oldest = sends_.oldest_unacked_sent_us();
    const uint64_t unacked = oldest == UINT64_MAX ? UINT64_MAX : oldest + config_.peer_timeout_us;
    deadlines_[kTimerPeerTimeout] = silent < unacked ? silent : unacked;
    if (state_ == EnetState::kDisconnecting) {
        deadlines_[kTimerLinger] = disconnect_started_us_ + config_.disconnect_linger_us;
    } else if (!sends_.has_reliable()) {
        deadlines_[kTimerKeepalive] = last_receive_us_ + config_.ping_interval_us;
    }
}

uint16_t EnetClient::sent_time() const { return static_cast<uint16_t>(now_us_ / 1000); }

}  // namespace gsc
