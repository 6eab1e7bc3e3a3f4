/*
 * gsc_session.h: one GameStream streaming session, sans-IO (style guide C): the video, audio
 * and control datagrams of one stream in, with the caller's monotonic clock; datagrams to send,
 * events and one deadline out. It opens no socket, reads no clock and calls nothing back.
 *
 * Life of a session:
 *   gsc_session_create(&config) ............ sizes and allocates everything, once
 *   loop:
 *     input: gsc_session_rx_buf + gsc_session_rx_commit (a datagram arrived), or
 *            gsc_session_handle_timeout (the deadline passed), or a command (request_idr, stop)
 *     then drain, in this order:
 *       gsc_session_poll_transmit until it returns 0 (send each datagram on its channel's socket)
 *       gsc_session_poll_event until it returns GSC_EVENT_NONE
 *       gsc_session_next_deadline (when to call gsc_session_handle_timeout next)
 *   to leave: gsc_session_stop, then the same loop on the control socket until the deadline is
 *             UINT64_MAX (the host acknowledged the goodbye, or the linger ran out)
 *   gsc_session_destroy
 * Right after create the deadline is 0: the first handle_timeout (or rx_commit) starts the
 * session's clock, sends the first audio ping and starts the control connection.
 *
 * Start order (shared/protocol/data-plane.md §1.3, §1.4): audio pings every 500 ms from the
 * start; the control stream connects; once it is up the session raises GSC_EVENT_CONNECTED
 * and starts the video pings (every 500 ms) and the video watchdog. With
 * GSC_SESSION_FLAG_NO_CONTROL the control stream is left out and video starts at once.
 *
 * Time: a monotonic microsecond count chosen by the caller, passed as two uint32_t halves
 * (gsc_core.h: no 64-bit integer crosses the ABI). A time earlier than one already seen is
 * taken as that time. A handle_timeout that comes early or twice does nothing.
 *
 * Memory: everything is allocated by create and freed by destroy; no other call allocates.
 * Pointers the calls return point into the session and are borrowed: each stays valid until
 * the next call that takes this session (any gsc_session_* call except gsc_session_stats,
 * gsc_session_last_error and gsc_session_next_deadline). Two sessions share nothing.
 *
 * Malformed input is not an error: it is dropped and counted in gsc_session_stats. A fatal
 * condition (control connection lost, no video, the host's termination) ends the session: its
 * status is kept (gsc_session_last_error) and surfaces once, as the last GSC_EVENT_TERMINATED
 * event. gsc_session_stop ends it the same way, with GSC_OK. After that video and audio are
 * ignored and only the control stream still runs, to say goodbye to the host (ENet disconnect,
 * sent in the same drain when the session ended it).
 */
#ifndef GSC_SESSION_H
#define GSC_SESSION_H

#include "gsc_core.h"

/* Channels: which socket a datagram came from or goes to. */
#define GSC_SESSION_CHANNEL_VIDEO 0
#define GSC_SESSION_CHANNEL_AUDIO 1
#define GSC_SESSION_CHANNEL_CONTROL 2
#define GSC_SESSION_CHANNEL_COUNT 3

/* gsc_session_config.video_codec */
#define GSC_VIDEO_CODEC_H264 0
#define GSC_VIDEO_CODEC_H265 1
#define GSC_VIDEO_CODEC_AV1 2

/* gsc_session_config.flags */
/* Host and decoder both do reference-frame invalidation (data-plane.md §2.8). */
#define GSC_SESSION_FLAG_RFI 0x1u
/* No control stream: no ENet traffic, no GSC_EVENT_CONNECTED, video starts with the session
 * (replaying recorded media, media-only tests). Control datagrams are then counted and dropped. */
#define GSC_SESSION_FLAG_NO_CONTROL 0x2u
/* Audio events carry the Opus packet only: no PCM is decoded (tools and benchmarks). */
#define GSC_SESSION_FLAG_AUDIO_NO_DECODE 0x4u

/* gsc_session_config.encryption_flags: Sunshine's SS_ENC bits as announced (data-plane.md §1.2). */
#define GSC_SESSION_ENCRYPT_CONTROL 0x1u
#define GSC_SESSION_ENCRYPT_VIDEO 0x2u
#define GSC_SESSION_ENCRYPT_AUDIO 0x4u

/* Limits of the configuration, each with where it comes from. */
/* Moonlight's packet sizes are at most 1392 (+16 header); jumbo frames reach 9000. */
#define GSC_SESSION_MAX_VIDEO_PACKET_SIZE 9000
/* A datagram carries at least the 32-byte RTP + NV header and a 16-byte payload (§2.2). */
#define GSC_SESSION_MIN_VIDEO_PACKET_SIZE 16
#define GSC_SESSION_PING_PAYLOAD_SIZE 16
#define GSC_SESSION_SEED_SIZE 32
#define GSC_SESSION_KEY_SIZE 16
#define GSC_SESSION_MAX_AUDIO_CHANNELS 8
/* 10 minutes: far beyond any watchdog a person would want. */
#define GSC_SESSION_MAX_VIDEO_TIMEOUT_MS 600000u

/*
 * What the session is created from: the values RTSP negotiated (src/session/stream-config.ts)
 * plus the client's own limits. Zero in a field marked "0: default" picks the default.
 * Layout: fixed-width integers only, no implicit padding (checked in session_abi.cpp).
 */
typedef struct gsc_session_config {
    uint32_t flags;                       /* GSC_SESSION_FLAG_* */
    uint32_t video_codec;                 /* GSC_VIDEO_CODEC_* */
    /* The announced x-nv-video[0].packetSize: payload bytes per video packet, encryption
     * overhead already taken off. A packet is this + 16 bytes; an encrypted datagram adds the
     * 32-byte prefix of §2.9. GSC_SESSION_MIN_VIDEO_PACKET_SIZE..GSC_SESSION_MAX_VIDEO_PACKET_SIZE. */
    uint32_t video_packet_size_bytes;
    /* Largest access unit (0: default 2 MiB; at most 16 MiB). Bigger frames are dropped and an
     * IDR is requested, so size it for the largest IDR frame of the stream. */
    uint32_t video_max_frame_bytes;
    /* FEC limits: largest k + m of a block (0: default 255; at most 1023) and largest number
     * of blocks in a frame (0: default 4; at most 4), data-plane.md §2.4. */
    uint32_t video_max_shards_per_block;
    uint32_t video_max_blocks_per_frame;
    /* Frames that may be open at once (0: default 8; at most 64). */
    uint32_t video_max_frames_in_flight;
    /* Ends the session when no video datagram arrives within this time after video starts,
     * or no complete frame within this time after the first datagram (MCC: 10 s, §1.5).
     * 0: no watchdog. At most GSC_SESSION_MAX_VIDEO_TIMEOUT_MS. */
    uint32_t video_timeout_ms;
    /* Opus multistream layout (§3.2): channels 1..8, streams, coupled streams, and for each
     * output channel the decoded channel it takes (255: silence). */
    uint8_t audio_channels;
    uint8_t audio_streams;
    uint8_t audio_coupled_streams;
    uint8_t audio_packet_duration_ms;     /* 5 or 10 (x-nv-aqos.packetDuration); 20 accepted */
    uint8_t audio_mapping[GSC_SESSION_MAX_AUDIO_CHANNELS];
    /* Audio data packets dropped from the first one received (MCC: 500 ms worth, §3.5); at most 400. */
    uint32_t audio_initial_discard_packets;
    uint32_t encryption_flags;            /* GSC_SESSION_ENCRYPT_* as announced */
    int32_t rikeyid;                      /* the launch's rikeyid (signed, as sent) */
    uint8_t aes_key[GSC_SESSION_KEY_SIZE];/* the launch's rikey */
    /* X-SS-Ping-Payload (§1.4): 16 bytes, or size 0 for the legacy 4-byte "PING". */
    uint32_t ping_payload_size_bytes;
    uint8_t ping_payload[GSC_SESSION_PING_PAYLOAD_SIZE];
    uint32_t control_connect_data;        /* X-SS-Connect-Data, the ENet connect data word */
    uint32_t control_channel_count;       /* ENet channels to ask for (0: default 48) */
    /* Entropy for everything the session draws (ENet connect id...): the same seed with the
     * same inputs gives the same outputs. */
    uint8_t seed[GSC_SESSION_SEED_SIZE];
} gsc_session_config;

/* Events (gsc_event.kind). */
#define GSC_EVENT_NONE 0
/* The control stream is up (ENet connected, start messages sent). */
#define GSC_EVENT_CONNECTED 1
/* A complete access unit, Annex-B (AV1: the OBUs as sent). bytes[0] = the access unit. */
#define GSC_EVENT_VIDEO_FRAME 2
/* One audio packet's worth of output, in sequence order, concealment included. bytes[0] = the
 * PCM (interleaved int16, size_bytes = channels x samples x 2; none with
 * GSC_SESSION_FLAG_AUDIO_NO_DECODE), bytes[1] = the Opus packet (none when lost). */
#define GSC_EVENT_AUDIO_FRAME 3
/* The session ended; raised once, last. */
#define GSC_EVENT_TERMINATED 4
/* Host rumble (control message 0x010b, §4.4.9); 0/0 stops the motors. */
#define GSC_EVENT_RUMBLE 5
/* Host HDR state changed (control message 0x010e, §4.4.14). */
#define GSC_EVENT_HDR_MODE 6

/* gsc_event.u.terminated.reason */
#define GSC_TERMINATED_HOST 1     /* the host sent a termination message (host_code) */
#define GSC_TERMINATED_TIMEOUT 2  /* the control connection or the video timed out */
#define GSC_TERMINATED_PROTOCOL 3 /* the control stream broke (bad message, failed decryption) */
#define GSC_TERMINATED_LOCAL 4    /* the client ended it (gsc_session_stop); status GSC_OK */

/* One event. Fields of the union that the kind does not use are zero. Every field is 32-bit;
 * boolean fields are 0 or 1. */
typedef struct gsc_event {
    uint32_t kind;       /* GSC_EVENT_* */
    uint32_t size_bytes; /* bytes at bytes[0] (0 when none) */
    union {
        struct {
            uint32_t frame_index;
            uint32_t rtp_timestamp;      /* 90 kHz on current Sunshine (§6.1) */
            uint32_t first_packet_us_lo; /* now_us of the frame's first arriving packet */
            uint32_t first_packet_us_hi;
            uint32_t key_frame;          /* decodable on its own (parameter sets + IDR slice) */
            uint32_t frame_type;         /* frame header type: 1 P, 2 IDR, 4 intra refresh, 5 after RFI */
            uint32_t host_latency_100us; /* host processing latency, 0.1 ms (0: not given) */
        } video;
        struct {
            uint32_t sequence;            /* RTP sequence number */
            uint32_t channels;
            uint32_t samples_per_channel;
            uint32_t concealed;           /* PCM is concealment (packet lost or undecodable) */
            uint32_t recovered;           /* rebuilt from FEC */
            uint32_t opus_size_bytes;     /* bytes at bytes[1] */
        } audio;
        struct {
            uint32_t reason;        /* GSC_TERMINATED_* */
            uint32_t has_host_code;
            uint32_t host_code;     /* the host's code (§4.4.15), when has_host_code */
            uint32_t graceful;      /* the host ended the stream normally after frames were seen */
            int32_t status;         /* gsc_session_last_error() */
        } terminated;
        struct {
            uint32_t controller;
            uint32_t low_frequency;  /* 0..65535 */
            uint32_t high_frequency; /* 0..65535 */
        } rumble;
        struct {
            uint32_t enabled;
        } hdr;
        uint32_t words[10];
    } u;
} gsc_event;

/* Which borrowed buffer of an event (the `bytes` array of gsc_session_poll_event). */
#define GSC_EVENT_BYTES_MAIN 0
#define GSC_EVENT_BYTES_OPUS 1
#define GSC_EVENT_BYTES_COUNT 2

/*
 * Counters since create; they only grow and wrap at 2^32. Byte counts are split in halves
 * (lo + hi x 2^32). Every datagram committed lands in exactly one *_packets counter.
 */
typedef struct gsc_session_counters {
    uint32_t video_packets;          /* datagrams committed on the video channel */
    uint32_t video_bytes_lo;
    uint32_t video_bytes_hi;
    uint32_t video_malformed;        /* dropped: unparseable, too short or too long */
    uint32_t video_decrypt_failures; /* encrypted video that did not authenticate (§2.9) */
    uint32_t video_stale;            /* encrypted video of a frame already finished, not decrypted */
    uint32_t video_duplicate;
    uint32_t video_late;             /* packets of frames already handed out or given up */
    uint32_t frames_complete;        /* access units handed out */
    uint32_t key_frames;
    uint32_t frames_recovered;       /* FEC blocks rebuilt from parity */
    uint32_t frames_dropped;         /* lost, oversize, malformed, or discarded while waiting for an IDR/RFI */
    uint32_t frames_lost;            /* the part of frames_dropped lost in the network */
    uint32_t idr_requests;
    uint32_t rfi_requests;
    uint32_t audio_packets;          /* datagrams committed on the audio channel */
    uint32_t audio_bytes_lo;
    uint32_t audio_bytes_hi;
    uint32_t audio_malformed;
    uint32_t audio_frames;           /* audio events handed out, concealment included */
    uint32_t audio_recovered;        /* data packets rebuilt from FEC */
    uint32_t audio_lost;
    uint32_t audio_concealed;
    uint32_t audio_decrypt_failures;
    uint32_t audio_decode_failures;
    uint32_t audio_discarded;        /* dropped by audio_initial_discard_packets */
    uint32_t control_packets;        /* datagrams committed on the control channel */
    uint32_t control_bytes_lo;
    uint32_t control_bytes_hi;
    uint32_t control_malformed;
    uint32_t pings_sent;             /* video and audio pings handed out by poll_transmit */
    uint32_t transmits;              /* datagrams handed out by poll_transmit, pings included */
    uint32_t malformed;              /* video_malformed + audio_malformed + control_malformed */
    uint32_t events_dropped;         /* events lost because they were not drained in time */
} gsc_session_counters;

/* Structures whose size the binding checks (gsc_session_struct_size). */
#define GSC_SESSION_STRUCT_CONFIG 0
#define GSC_SESSION_STRUCT_EVENT 1
#define GSC_SESSION_STRUCT_STATS 2

/*
 * Statuses that end a session, in the range of the layer that raises them (gsc_core.h). They
 * reach the caller only as gsc_session_last_error() and in the GSC_EVENT_TERMINATED event.
 */
#define GSC_VIDEO_STATUS_LIST(X)                                                           \
    /* No video datagram arrived within video_timeout_ms of video starting. */            \
    X(GSC_ERR_VIDEO_NO_TRAFFIC, -501)                                                      \
    /* Video arrived but no complete frame within video_timeout_ms of the first packet. */ \
    X(GSC_ERR_VIDEO_NO_FRAME, -502)

GSC_DECLARE_STATUS_LIST(GSC_VIDEO_STATUS_LIST)

#define GSC_SESSION_STATUS_LIST(X)                                                        \
    /* The host accepted no ENet connection on its control port (refused, or no answer). */ \
    X(GSC_ERR_ENET_CONNECT_FAILED, -390)                                                  \
    /* The host went silent: ENet's peer timeout (data-plane.md §1.5). */                 \
    X(GSC_ERR_ENET_TIMEOUT, -391)                                                         \
    /* The host closed ENet without a termination message (§4.4.15). */                  \
    X(GSC_ERR_ENET_HOST_DISCONNECTED, -392)                                               \
    /* The host ended the session with a termination message (its code in the event). */  \
    X(GSC_ERR_CONTROL_HOST_TERMINATED, -490)                                              \
    /* The control stream ended in a way the session did not ask for. */                 \
    X(GSC_ERR_CONTROL_ENDED, -491)

GSC_DECLARE_STATUS_LIST(GSC_SESSION_STATUS_LIST)

typedef struct gsc_session gsc_session;

/* sizeof the structure `which` (GSC_SESSION_STRUCT_*) in this core, 0 for an unknown one. */
GSC_API uint32_t gsc_session_struct_size(uint32_t which);

/*
 * Creates a session from `config` (config_size_bytes = sizeof(gsc_session_config), so that a
 * binding built for another layout is refused). On success *out receives the session, which
 * the caller frees with gsc_session_destroy. The config is copied; it may be freed at once.
 * Errors: GSC_ERR_NULL_ARGUMENT, GSC_ERR_BAD_LENGTH (config size), GSC_ERR_BAD_ARGUMENT (a field
 * out of its documented range, or an audio layout the Opus decoder refuses),
 * GSC_ERR_OUT_OF_MEMORY. Nothing is left allocated after an error.
 */
GSC_API GSC_NODISCARD gsc_status gsc_session_create(const gsc_session_config *config, uint32_t config_size_bytes,
                                                    gsc_session **out);

/* Frees the session and everything it holds; NULL is ignored. */
GSC_API void gsc_session_destroy(gsc_session *session);

/*
 * Where to write the next datagram of `channel`: *capacity_bytes receives the largest datagram
 * that channel accepts. Borrowed (see above); the write and gsc_session_rx_commit must follow
 * with no other call on the session in between. NULL for an unknown channel or NULL argument.
 */
GSC_API uint8_t *gsc_session_rx_buf(gsc_session *session, uint32_t channel, uint32_t *capacity_bytes);

/*
 * Processes the datagram of `size_bytes` written at gsc_session_rx_buf(session, channel, ...),
 * received at now_us. A size beyond the capacity means the datagram was too long to write: it
 * is counted as malformed and dropped (the caller writes what fits and passes the true size).
 * Errors: GSC_ERR_NULL_ARGUMENT; GSC_ERR_BAD_ARGUMENT for an unknown channel; GSC_ERR_BAD_STATE
 * when the last call on the session was not gsc_session_rx_buf for this channel (nothing is
 * processed). After termination video and audio datagrams are ignored (GSC_OK).
 */
GSC_API GSC_NODISCARD gsc_status gsc_session_rx_commit(gsc_session *session, uint32_t channel, uint32_t size_bytes,
                                                       uint32_t now_us_lo, uint32_t now_us_hi);

/* Runs what is due at now_us (pings, audio reordering wait, control timers, watchdog).
 * Errors: GSC_ERR_NULL_ARGUMENT. */
GSC_API GSC_NODISCARD gsc_status gsc_session_handle_timeout(gsc_session *session, uint32_t now_us_lo,
                                                            uint32_t now_us_hi);

/*
 * The next datagram to send: returns its size (0 when there is none) and sets *channel and
 * *bytes (borrowed). Drain until 0 after every input, before polling events.
 */
GSC_API uint32_t gsc_session_poll_transmit(gsc_session *session, uint32_t *channel, const uint8_t **bytes);

/*
 * The next event: returns its kind (GSC_EVENT_NONE when there is none), fills *event and sets
 * bytes[GSC_EVENT_BYTES_MAIN] and bytes[GSC_EVENT_BYTES_OPUS] (borrowed, NULL when the event has
 * none). Drain until GSC_EVENT_NONE after the transmits. Polling a frame may raise a recovery
 * request (IDR/RFI) for the control stream: next_deadline then says it is due at once.
 */
GSC_API uint32_t gsc_session_poll_event(gsc_session *session, gsc_event *event,
                                        const uint8_t *bytes[GSC_EVENT_BYTES_COUNT]);

/*
 * When gsc_session_handle_timeout has something to do, written as deadline_us[0] (low half)
 * and deadline_us[1] (high half); both 0xFFFFFFFF (UINT64_MAX) when nothing is pending, 0
 * before the first input.
 */
GSC_API void gsc_session_next_deadline(const gsc_session *session, uint32_t deadline_us[2]);

/*
 * The decoder could not use a frame: drop video until the next key frame and ask the host for
 * one (through the control stream). A frame not yet polled is dropped (events_dropped).
 * Errors: GSC_ERR_NULL_ARGUMENT.
 */
GSC_API GSC_NODISCARD gsc_status gsc_session_request_idr(gsc_session *session);

/*
 * The client ends the session at now_us, and tells the host at once: the control stream starts
 * ENet's graceful disconnect (what is queued goes out and is acknowledged first, then DISCONNECT,
 * whose acknowledgement is awaited; 2 s at most in all, the reference client's linger, §4.1).
 * GSC_EVENT_TERMINATED follows (reason GSC_TERMINATED_LOCAL, status GSC_OK; last_error stays
 * GSC_OK), after the events already waiting. From here on the session is terminated: video and
 * audio are ignored, and the caller drains and keeps feeding control datagrams and timeouts
 * until gsc_session_next_deadline says nothing is pending (UINT64_MAX): the host then knows the
 * client left. A caller that cannot wait may destroy the session earlier; the host then learns
 * of the end only from its own timeout.
 * A session not started yet (no input) just ends, with nothing to send. A session already
 * terminated (by the host, a timeout, or an earlier stop) is left as it is: GSC_OK, no second
 * event. With GSC_SESSION_FLAG_NO_CONTROL nothing is sent and the deadline is UINT64_MAX at once.
 * Errors: GSC_ERR_NULL_ARGUMENT.
 */
GSC_API GSC_NODISCARD gsc_status gsc_session_stop(gsc_session *session, uint32_t now_us_lo, uint32_t now_us_hi);

/* Copies the counters into *out (stats_size_bytes = sizeof(gsc_session_counters)).
 * Errors: GSC_ERR_NULL_ARGUMENT, GSC_ERR_BAD_LENGTH. */
GSC_API GSC_NODISCARD gsc_status gsc_session_stats(const gsc_session *session, gsc_session_counters *out,
                                                   uint32_t stats_size_bytes);

/* GSC_OK while the session runs; the status that ended it afterwards (sticky). */
GSC_API gsc_status gsc_session_last_error(const gsc_session *session);

#endif /* GSC_SESSION_H */
