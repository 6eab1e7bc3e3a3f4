/*
 * gsc_tls.h: the TLS 1.2 client of the GameStream HTTPS port, as a sans-IO object.
 *
 * The client never touches a socket. The binding moves bytes between TCP and the client:
 *
 *   TCP bytes in   ->  gsc_tls_client_rx_buf / gsc_tls_client_rx_commit, gsc_tls_client_rx_eof
 *   TCP bytes out  <-  gsc_tls_client_tx_peek / gsc_tls_client_tx_ack
 *   plaintext out  ->  gsc_tls_client_app_tx_buf / gsc_tls_client_app_tx_commit
 *   plaintext in   <-  gsc_tls_client_app_rx_peek / gsc_tls_client_app_rx_ack
 *
 * After every input (create, rx_commit, rx_eof, app_tx_commit, app_rx_ack, close) drain in
 * this order: TCP bytes out until tx_peek returns nothing, then plaintext in until app_rx_peek
 * returns nothing, then look at gsc_tls_client_state(). Input may be refused (capacity 0) until
 * both are drained, so a binding that does not drain stalls instead of losing bytes.
 *
 * Trust model (control-plane.md §2.3): the client presents its certificate on every
 * connection and accepts the server only if the server's end-entity certificate is
 * byte-identical to the certificate pinned at pairing. There is no CA, no host name and no
 * validity-period check, so no wall-clock time is needed. Entropy comes only from the seed
 * given at create (the core reads no OS randomness). Only TLS 1.2 is offered, with ECDHE key
 * exchange, AES-GCM or ChaCha20-Poly1305, and SHA-256/384 signatures: what OpenSSL 3 accepts
 * at its default security level.
 *
 * Memory is allocated once, by create, and freed by destroy; nothing is allocated per record.
 * Every pointer a call returns points into the client and is valid until the next call on
 * the same client. The client is for one connection: one request, then close (control-plane.md
 * §2.3: current Sunshine holds its HTTPS port until the client closes).
 */
#ifndef GSC_TLS_H
#define GSC_TLS_H

#include <stdint.h>

#include "gsc_core.h"

/* Statuses of this area, in the TLS range of gsc_core.h. */
#define GSC_TLS_STATUS_LIST(X)                                                                   \
    /* create: the client certificate is empty or larger than GSC_TLS_MAX_CERT_BYTES. */        \
    X(GSC_TLS_ERR_BAD_CLIENT_CERT, -200)                                                         \
    /* create: the client key is not an RSA private key (PKCS#1 or PKCS#8 DER). */              \
    X(GSC_TLS_ERR_BAD_CLIENT_KEY, -201)                                                          \
    /* create: the pinned certificate is not X.509 DER with an RSA or EC public key. */         \
    X(GSC_TLS_ERR_BAD_PINNED_CERT, -202)                                                         \
    /* create: fewer than GSC_TLS_MIN_SEED_BYTES or more than GSC_TLS_MAX_SEED_BYTES. */       \
    X(GSC_TLS_ERR_BAD_SEED, -203)                                                                \
    /* The server's certificate is not the pinned one (host reinstalled, or an impostor). */     \
    X(GSC_TLS_ERR_PIN_MISMATCH, -210)                                                            \
    /* The server sent a fatal alert, e.g. it refused our certificate (not paired). */           \
    X(GSC_TLS_ERR_ALERT_RECEIVED, -211)                                                          \
    /* A record was malformed, oversized, or failed authentication. */                          \
    X(GSC_TLS_ERR_BAD_RECORD, -212)                                                              \
    /* The first bytes from the server are not a TLS record (a plain HTTP server?). */          \
    X(GSC_TLS_ERR_NOT_TLS, -213)                                                                 \
    /* The server's handshake is unacceptable (version, cipher suite, signature, Finished). */  \
    X(GSC_TLS_ERR_HANDSHAKE, -214)                                                               \
    /* TCP ended before the handshake completed. */                                             \
    X(GSC_TLS_ERR_PEER_CLOSED, -215)                                                             \
    /* TCP ended after the handshake without the server's close_notify. */                      \
    X(GSC_TLS_ERR_TRUNCATED, -216)                                                               \
    /* BearSSL reported an error that means a bug in this client. */                             \
    X(GSC_TLS_ERR_INTERNAL, -217)                                                                \
    /* TCP ended in the middle of a record. */                                                   \
    X(GSC_TLS_ERR_TRUNCATED_RECORD, -218)

GSC_DECLARE_STATUS_LIST(GSC_TLS_STATUS_LIST)

/* Connection states, as returned by gsc_tls_client_state(). */
#define GSC_TLS_STATE_HANDSHAKING 0u /* handshake in progress (the initial state) */
#define GSC_TLS_STATE_OPEN 1u        /* handshake done: application data flows */
#define GSC_TLS_STATE_CLOSED 2u      /* ended cleanly: close_notify exchanged, or we closed */
#define GSC_TLS_STATE_FAILED 3u      /* ended by an error; see gsc_tls_client_last_error() */

/* A self-signed RSA-4096 certificate is under 2 KiB; GameStream uses RSA-2048 (~0.8 KiB). */
#define GSC_TLS_MAX_CERT_BYTES 8192u
/* An RSA-4096 private key in PKCS#8 DER is under 2.5 KiB. */
#define GSC_TLS_MAX_KEY_BYTES 4096u
/* The seed feeds BearSSL's HMAC-DRBG (SHA-256): 32 bytes carry its full 256-bit strength. */
#define GSC_TLS_MIN_SEED_BYTES 32u
#define GSC_TLS_MAX_SEED_BYTES 256u

typedef struct gsc_tls_client gsc_tls_client;

/*
 * Creates a client and starts its handshake (the ClientHello is ready in tx_peek at once).
 * - client_cert_der: our X.509 certificate, DER; sent in every handshake.
 * - client_key_der:  its RSA private key, DER (PKCS#1 RSAPrivateKey; PKCS#8 is accepted too).
 * - pinned_cert_der: the server certificate saved at pairing, DER; the only one accepted.
 * - seed: GSC_TLS_MIN_SEED_BYTES..GSC_TLS_MAX_SEED_BYTES bytes from a strong random source,
 *   fresh for every client. The same seed and the same inputs give the same output bytes.
 * Every input is copied; the caller may free its buffers when the call returns.
 * On success stores the new client in *out_client (destroy it with gsc_tls_client_destroy);
 * on failure stores NULL and returns GSC_ERR_NULL_ARGUMENT, GSC_ERR_OUT_OF_MEMORY or one of
 * GSC_TLS_ERR_BAD_CLIENT_CERT, _BAD_CLIENT_KEY, _BAD_PINNED_CERT, _BAD_SEED.
 */
GSC_API GSC_NODISCARD gsc_status gsc_tls_client_create(const uint8_t *client_cert_der,
                                                       uint32_t client_cert_len,
                                                       const uint8_t *client_key_der,
                                                       uint32_t client_key_len,
                                                       const uint8_t *pinned_cert_der,
                                                       uint32_t pinned_cert_len,
                                                       const uint8_t *seed, uint32_t seed_len,
                                                       gsc_tls_client **out_client);

/* Frees the client and everything it owns; NULL is ignored. Sends nothing: call
 * gsc_tls_client_close() and drain tx first for an orderly close. */
GSC_API void gsc_tls_client_destroy(gsc_tls_client *client);

/* One of GSC_TLS_STATE_*. CLOSED and FAILED are final. */
GSC_API uint32_t gsc_tls_client_state(const gsc_tls_client *client);

/* The error that moved the client to FAILED (sticky), or GSC_OK if it has not failed. */
GSC_API gsc_status gsc_tls_client_last_error(const gsc_tls_client *client);

/*
 * BearSSL's own error code behind the last error, for diagnostics only (0 if none):
 * 256 + alert number for an alert received, 512 + alert number for an alert sent, a
 * BR_ERR_* or BR_ERR_X509_* value otherwise. Not part of the stable contract.
 */
GSC_API uint32_t gsc_tls_client_engine_error(const gsc_tls_client *client);

/*
 * Where to write the next bytes read from TCP. Stores the number of bytes the client accepts
 * now in *out_cap and returns the address to write them to, or returns NULL with *out_cap = 0
 * when it takes none now (output to drain first, plaintext not yet read, or CLOSED/FAILED).
 * The capacity may be smaller than what TCP delivered: commit, drain, and ask again.
 */
GSC_API uint8_t *gsc_tls_client_rx_buf(gsc_tls_client *client, uint32_t *out_cap);

/*
 * Processes len bytes the caller wrote at gsc_tls_client_rx_buf(); len must not exceed the
 * capacity it gave. Returns GSC_OK, GSC_ERR_BAD_LENGTH, GSC_ERR_BAD_STATE (no rx_buf was
 * offered), or the TLS error these bytes caused (the client is then FAILED).
 */
GSC_API GSC_NODISCARD gsc_status gsc_tls_client_rx_commit(gsc_tls_client *client, uint32_t len);

/*
 * Tells the client that TCP delivered end of stream. If the stream stopped inside a record,
 * this fails the client with GSC_TLS_ERR_TRUNCATED_RECORD; otherwise, during the handshake,
 * with GSC_TLS_ERR_PEER_CLOSED, and once open without a prior close_notify from the server,
 * with GSC_TLS_ERR_TRUNCATED (plaintext already delivered stays valid, but its end is not
 * authenticated). After our own close, or when already CLOSED/FAILED, it only ends the client
 * quietly. Returns the resulting last error, or GSC_OK.
 */
GSC_API GSC_NODISCARD gsc_status gsc_tls_client_rx_eof(gsc_tls_client *client);

/*
 * Bytes to send on TCP: returns their address and stores their count in *out_len, or returns
 * NULL with *out_len = 0 when there are none. The bytes stay in place until acknowledged.
 */
GSC_API const uint8_t *gsc_tls_client_tx_peek(gsc_tls_client *client, uint32_t *out_len);

/* Marks the first len bytes of tx_peek as sent. len must not exceed what tx_peek gave
 * (GSC_ERR_BAD_LENGTH otherwise). */
GSC_API GSC_NODISCARD gsc_status gsc_tls_client_tx_ack(gsc_tls_client *client, uint32_t len);

/*
 * Where to write plaintext to send: allowed only when OPEN and no record waits in tx.
 * Stores the capacity (at most one record's payload, 4096 bytes) in *out_cap and returns the
 * address, or NULL with *out_cap = 0 when the client takes none now.
 */
GSC_API uint8_t *gsc_tls_client_app_tx_buf(gsc_tls_client *client, uint32_t *out_cap);

/*
 * Seals the len plaintext bytes written at app_tx_buf into a record, ready in tx_peek at once.
 * Returns GSC_OK, GSC_ERR_BAD_LENGTH (over the capacity) or GSC_ERR_BAD_STATE (no buffer).
 */
GSC_API GSC_NODISCARD gsc_status gsc_tls_client_app_tx_commit(gsc_tls_client *client,
                                                              uint32_t len);

/*
 * Plaintext received: returns its address and stores its count in *out_len, or NULL with
 * *out_len = 0 when none is waiting. The bytes stay in place until acknowledged.
 */
GSC_API const uint8_t *gsc_tls_client_app_rx_peek(gsc_tls_client *client, uint32_t *out_len);

/* Consumes the first len bytes of app_rx_peek (GSC_ERR_BAD_LENGTH if more than it gave). */
GSC_API GSC_NODISCARD gsc_status gsc_tls_client_app_rx_ack(gsc_tls_client *client, uint32_t len);

/*
 * Starts an orderly close: a close_notify is queued in tx (after any data not yet sent), and
 * no more input or plaintext is accepted. The state is CLOSED at once; drain tx, then close
 * TCP without waiting for the server's close_notify. Calling it again, or when already
 * CLOSED/FAILED, does nothing. Returns GSC_OK.
 */
GSC_API GSC_NODISCARD gsc_status gsc_tls_client_close(gsc_tls_client *client);

/* The bytes one client holds (for the memory budget): its own size after create. */
GSC_API uint32_t gsc_tls_client_memory_bytes(const gsc_tls_client *client);

#endif /* GSC_TLS_H */
