// The C edge of the session (contract in gsc_session.h): argument checks, time halves, and the
// layout checks of every structure the binding mirrors (wasm/session.ts).
#include <cstddef>
#include <new>

#include "gsc_session.h"
#include "session.hpp"

struct gsc_session {
    gsc::Session session;
};

namespace {

uint64_t join_us(uint32_t lo, uint32_t hi) { return uint64_t{hi} << 32 | lo; }

// The binding reads and writes these structures at fixed offsets: any change here is an ABI
// change (GSC_ABI_VERSION) and must be made in wasm/session.ts's descriptions too.
static_assert(sizeof(gsc_session_config) == 132, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, video_timeout_ms) == 28, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, audio_channels) == 32, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, audio_mapping) == 36, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, audio_initial_discard_packets) == 44, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, encryption_flags) == 48, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, rikeyid) == 52, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, aes_key) == 56, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, ping_payload_size_bytes) == 72, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, ping_payload) == 76, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, control_connect_data) == 92, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, control_channel_count) == 96, "gsc_session_config layout");
static_assert(offsetof(gsc_session_config, seed) == 100, "gsc_session_config layout");

static_assert(sizeof(gsc_event) == 48, "gsc_event layout");
static_assert(offsetof(gsc_event, u) == 8, "gsc_event layout");
static_assert(offsetof(gsc_event, u.video.host_latency_100us) == 32, "gsc_event layout");
static_assert(offsetof(gsc_event, u.audio.opus_size_bytes) == 28, "gsc_event layout");
static_assert(offsetof(gsc_event, u.terminated.status) == 24, "gsc_event layout");
static_assert(offsetof(gsc_event, u.rumble.high_frequency) == 16, "gsc_event layout");
static_assert(offsetof(gsc_event, u.hdr.enabled) == 8, "gsc_event layout");

// 34 counters, in declaration order, 4 bytes each.
static_assert(sizeof(gsc_session_counters) == 34 * 4, "gsc_session_counters layout");
static_assert(offsetof(gsc_session_counters, frames_complete) == 8 * 4, "gsc_session_counters layout");
static_assert(offsetof(gsc_session_counters, audio_packets) == 15 * 4, "gsc_session_counters layout");
static_assert(offsetof(gsc_session_counters, control_packets) == 26 * 4, "gsc_session_counters layout");
static_assert(offsetof(gsc_session_counters, events_dropped) == 33 * 4, "gsc_session_counters layout");

}  // namespace

uint32_t gsc_session_struct_size(uint32_t which) {
    switch (which) {
        case GSC_SESSION_STRUCT_CONFIG:
            return sizeof(gsc_session_config);
        case GSC_SESSION_STRUCT_EVENT:
            return sizeof(gsc_event);
        case GSC_SESSION_STRUCT_STATS:
            return sizeof(gsc_session_counters);
        default:
            return 0;
    }
}

gsc_status gsc_session_create(const gsc_session_config *config, uint32_t config_size_bytes, gsc_session **out) {
    if (config == nullptr || out == nullptr) return GSC_ERR_NULL_ARGUMENT;
    *out = nullptr;
    if (config_size_bytes != sizeof(gsc_session_config)) return GSC_ERR_BAD_LENGTH;
    gsc_session *s = new (std::nothrow) gsc_session;
    if (s == nullptr) return GSC_ERR_OUT_OF_MEMORY;
    const gsc_status status = s->session.init(*config);
    if (status != GSC_OK) {
        delete s;
        return status;
    }
    *out = s;
    return GSC_OK;
}

void gsc_session_destroy(gsc_session *session) { delete session; }

uint8_t *gsc_session_rx_buf(gsc_session *session, uint32_t channel, uint32_t *capacity_bytes) {
    if (session == nullptr || capacity_bytes == nullptr) return nullptr;
    return session->session.rx_buf(channel, *capacity_bytes);
}

gsc_status gsc_session_rx_commit(gsc_session *session, uint32_t channel, uint32_t size_bytes, uint32_t now_us_lo,
                                 uint32_t now_us_hi) {
    if (session == nullptr) return GSC_ERR_NULL_ARGUMENT;
    return session->session.rx_commit(channel, size_bytes, join_us(now_us_lo, now_us_hi));
}

gsc_status gsc_session_handle_timeout(gsc_session *session, uint32_t now_us_lo, uint32_t now_us_hi) {
    if (session == nullptr) return GSC_ERR_NULL_ARGUMENT;
    session->session.handle_timeout(join_us(now_us_lo, now_us_hi));
    return GSC_OK;
}

uint32_t gsc_session_poll_transmit(gsc_session *session, uint32_t *channel, const uint8_t **bytes) {
    if (session == nullptr || channel == nullptr || bytes == nullptr) return 0;
    return session->session.poll_transmit(*channel, *bytes);
}

uint32_t gsc_session_poll_event(gsc_session *session, gsc_event *event, const uint8_t *bytes[GSC_EVENT_BYTES_COUNT]) {
    if (session == nullptr || event == nullptr || bytes == nullptr) return GSC_EVENT_NONE;
    return session->session.poll_event(*event, bytes);
}

void gsc_session_next_deadline(const gsc_session *session, uint32_t deadline_us[2]) {
    if (deadline_us == nullptr) return;
    const uint64_t deadline = session == nullptr ? UINT64_MAX : session->session.next_deadline_us();
    deadline_us[0] = static_cast<uint32_t>(deadline);
    deadline_us[1] = static_cast<uint32_t>(deadline >> 32);
}

gsc_status gsc_session_request_idr(gsc_session *session) {
    if (session == nullptr) return GSC_ERR_NULL_ARGUMENT;
    session->session.request_idr();
    return GSC_OK;
}

gsc_status gsc_session_stop(gsc_session *session, uint32_t now_us_lo, uint32_t now_us_hi) {
    if (session == nullptr) return GSC_ERR_NULL_ARGUMENT;
    session->session.stop(join_us(now_us_lo, now_us_hi));
    return GSC_OK;
}

gsc_status gsc_session_stats(const gsc_session *session, gsc_session_counters *out, uint32_t stats_size_bytes) {
    if (session == nullptr || out == nullptr) return GSC_ERR_NULL_ARGUMENT;
    if (stats_size_bytes != sizeof(gsc_session_counters)) return GSC_ERR_BAD_LENGTH;
    session->session.stats(*out);
    return GSC_OK;
}

gsc_status gsc_session_last_error(const gsc_session *session) {
    if (session == nullptr) return GSC_ERR_NULL_ARGUMENT;
    return session->session.last_error();
}
