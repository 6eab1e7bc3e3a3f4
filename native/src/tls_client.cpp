// The TLS client of the GameStream HTTPS port: BearSSL's client engine, configured once at
// create and driven only by the caller's byte pumping (contracts in gsc_tls.h).
//
// Theory of operation. BearSSL's engine already is sans-IO: it exposes four buffers (records
// in and out, plaintext in and out) and runs its handshake as a coroutine whenever one of
// them moves. This file adds what the ABI promises on top of it:
// - a state machine HANDSHAKING -> OPEN -> CLOSED, any state -> FAILED, derived after every
//   call from the engine's flags plus three facts the engine does not keep (handshake done,
//   close requested, TCP ended);
// - one sticky gsc_status, the first error seen, mapped from BearSSL's codes;
// - the pinned-certificate validator (tls_pinned_x509.cpp) and the client certificate;
// - memory: one block, sized at create from the certificate and key lengths.
#include <stddef.h>
#include <string.h>

#include <bearssl.h>

#include "gsc_tls.h"
#include "tls_pinned_x509.hpp"

namespace {

// BearSSL's largest incoming record (16 KiB plaintext + 325 bytes overhead): the server picks
// its record size, so the input buffer must take a full one.
constexpr size_t kInputBufferBytes = BR_SSL_BUFSIZE_INPUT;
// Our records carry at most 4 KiB of plaintext (an HTTP request is far smaller; BearSSL
// fragments larger writes), plus BearSSL's worst-case per-record overhead on output.
constexpr size_t kOutputPayloadBytes = 4096;
constexpr size_t kOutputOverheadBytes = BR_SSL_BUFSIZE_OUTPUT - 16384;
constexpr size_t kOutputBufferBytes = kOutputPayloadBytes + kOutputOverheadBytes;

// TLS record content types (RFC 5246 §6.2.1): change_cipher_spec 20 .. application_data 23.
constexpr uint8_t kFirstRecordType = 20;
constexpr uint8_t kLastRecordType = 23;
// A record header: type, version (2 bytes), length (2 bytes, big-endian) (RFC 5246 §6.2.1).
constexpr uint32_t kRecordHeaderBytes = 5;

// Offered suites, in order of preference: ECDHE only (forward secrecy) with AEAD ciphers, the
// suites OpenSSL 3 enables at its default security level. AES-GCM first, as every OpenSSL
// build has it; ChaCha20-Poly1305 for a host configured without AES.
constexpr uint16_t kCipherSuites[] = {
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,       BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,     BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
};

}  // namespace

struct gsc_tls_client {
    br_ssl_client_context ssl;
    gsc::PinnedX509 x509;
    br_x509_certificate client_chain;
    br_rsa_private_key client_key;
    uint32_t memory_bytes;
    uint32_t engine_error;
    gsc_status last_error;
    bool handshake_done;
    bool close_requested;
    bool tcp_ended;
    bool bytes_received;
    // Record boundaries of the input, to tell an end of stream inside a record from one
    // between records. BearSSL checks the records themselves.
    uint8_t header[kRecordHeaderBytes];
    uint32_t header_bytes;
    uint32_t body_bytes_left;
    unsigned char input[kInputBufferBytes];
    unsigned char output[kOutputBufferBytes];
    // Followed in the same block by the copies of the certificates and key material.
};

namespace {

br_ssl_engine_context *engine(gsc_tls_client *c) {
    return &c->ssl.eng;
}

// Records the first error only, and none once the connection ended cleanly: CLOSED is final.
void fail(gsc_tls_client *c, gsc_status status, uint32_t engine_error) {
    if (c->last_error != GSC_OK || c->close_requested || c->tcp_ended) {
        return;
    }
    c->last_error = status;
    c->engine_error = engine_error;
}

gsc_status map_engine_error(const gsc_tls_client *c, int err) {
    if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT) {
        return GSC_TLS_ERR_ALERT_RECEIVED;
    }
    if (err >= BR_ERR_SEND_FATAL_ALERT) {
        return GSC_TLS_ERR_HANDSHAKE;  // we refused something in the server's handshake
    }
    if (err == BR_ERR_X509_NOT_TRUSTED && gsc::pinned_x509_rejected(c->x509)) {
        return GSC_TLS_ERR_PIN_MISMATCH;
    }
    switch (err) {
        case BR_ERR_BAD_VERSION:
        case BR_ERR_BAD_LENGTH:
        case BR_ERR_TOO_LARGE:
        case BR_ERR_BAD_MAC:
        case BR_ERR_UNKNOWN_TYPE:
        case BR_ERR_UNEXPECTED:
        case BR_ERR_BAD_FRAGLEN:
            return GSC_TLS_ERR_BAD_RECORD;
        case BR_ERR_BAD_STATE:
        case BR_ERR_NO_RANDOM:
        case BR_ERR_IO:
            return GSC_TLS_ERR_INTERNAL;
        default:
            return GSC_TLS_ERR_HANDSHAKE;
    }
}

// Brings the ABI state up to date with the engine after any call that may have moved it.
void sync(gsc_tls_client *c) {
    unsigned flags = br_ssl_engine_current_state(engine(c));
    if (flags & BR_SSL_CLOSED) {
        int err = br_ssl_engine_last_error(engine(c));
        if (err != BR_ERR_OK) {
            fail(c, map_engine_error(c, err), static_cast<uint32_t>(err));
        } else if (!c->handshake_done && !c->close_requested) {
            // A close_notify instead of a handshake: the server gave up on us.
            fail(c, GSC_TLS_ERR_PEER_CLOSED, 0);
        }
        return;
    }
    if (flags & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)) {
        c->handshake_done = true;
    }
}

void track_records(gsc_tls_client *c, const uint8_t *bytes, uint32_t len) {
    while (len > 0) {
        if (c->body_bytes_left > 0) {
            uint32_t n = len < c->body_bytes_left ? len : c->body_bytes_left;
            c->body_bytes_left -= n;
            bytes += n;
            len -= n;
            continue;
        }
        c->header[c->header_bytes++] = *bytes++;
        len--;
        if (c->header_bytes == kRecordHeaderBytes) {
            c->body_bytes_left = static_cast<uint32_t>(c->header[3]) << 8 | c->header[4];
            c->header_bytes = 0;
        }
    }
}

bool inside_record(const gsc_tls_client *c) {
    return c->header_bytes != 0 || c->body_bytes_left != 0;
}

bool engine_closed(gsc_tls_client *c) {
    return (br_ssl_engine_current_state(engine(c)) & BR_SSL_CLOSED) != 0;
}

// Copies `len` bytes into the block's tail and advances the cursor.
uint8_t *stash(uint8_t **cursor, const void *data, size_t len) {
    uint8_t *at = *cursor;
    memcpy(at, data, len);
    *cursor += len;
    return at;
}

size_t private_key_bytes(const br_rsa_private_key &k) {
    return k.plen + k.qlen + k.dplen + k.dqlen + k.iqlen;
}

void copy_private_key(const br_rsa_private_key &from, uint8_t **cursor, br_rsa_private_key *to) {
    to->n_bitlen = from.n_bitlen;
    to->plen = from.plen;
    to->qlen = from.qlen;
    to->dplen = from.dplen;
    to->dqlen = from.dqlen;
    to->iqlen = from.iqlen;
    to->p = stash(cursor, from.p, from.plen);
    to->q = stash(cursor, from.q, from.qlen);
    to->dp = stash(cursor, from.dp, from.dplen);
    to->dq = stash(cursor, from.dq, from.dqlen);
    to->iq = stash(cursor, from.iq, from.iqlen);
}

bool decode_certificate(const uint8_t *der, uint32_t len, br_x509_decoder_context *dc) {
    br_x509_decoder_init(dc, nullptr, nullptr);
    br_x509_decoder_push(dc, der, len);
    return br_x509_decoder_last_error(dc) == 0;
}

void configure_engine(gsc_tls_client *c) {
    br_ssl_engine_context *eng = engine(c);
    br_ssl_client_zero(&c->ssl);
    // TLS 1.2 only: BearSSL has no TLS 1.3, and Sunshine refuses 1.0/1.1 (control-plane.md §2.3).
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, kCipherSuites, sizeof kCipherSuites / sizeof kCipherSuites[0]);
    // SHA-1 is left out: OpenSSL 3 at its default security level refuses SHA-1 signatures.
    br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
    br_ssl_engine_set_default_aes_gcm(eng);
    br_ssl_engine_set_default_chapol(eng);
    br_ssl_engine_set_default_ec(eng);
    br_ssl_engine_set_default_rsavrfy(eng);
    br_ssl_engine_set_default_ecdsa(eng);
    br_ssl_engine_set_x509(eng, &c->x509.vtable);
    br_ssl_client_set_single_rsa(&c->ssl, &c->client_chain, 1, &c->client_key,
                                 br_rsa_pkcs1_sign_get_default());
    br_ssl_engine_set_buffers_bidi(eng, c->input, sizeof c->input, c->output, sizeof c->output);
}

}  // namespace

gsc_status gsc_tls_client_create(const uint8_t *client_cert_der, uint32_t client_cert_len,
                                 const uint8_t *client_key_der, uint32_t client_key_len,
                                 const uint8_t *pinned_cert_der, uint32_t pinned_cert_len,
                                 const uint8_t *seed, uint32_t seed_len,
                                 gsc_tls_client **out_client) {
    if (out_client == nullptr) {
        return GSC_ERR_NULL_ARGUMENT;
    }
    *out_client = nullptr;
    if (client_cert_der == nullptr || client_key_der == nullptr || pinned_cert_der == nullptr ||
        seed == nullptr) {
        return GSC_ERR_NULL_ARGUMENT;
    }
    if (seed_len < GSC_TLS_MIN_SEED_BYTES || seed_len > GSC_TLS_MAX_SEED_BYTES) {
        return GSC_TLS_ERR_BAD_SEED;
    }
    if (client_cert_len == 0 || client_cert_len > GSC_TLS_MAX_CERT_BYTES) {
        return GSC_TLS_ERR_BAD_CLIENT_CERT;
    }
    if (pinned_cert_len == 0 || pinned_cert_len > GSC_TLS_MAX_CERT_BYTES) {
        return GSC_TLS_ERR_BAD_PINNED_CERT;
    }
    if (client_key_len == 0 || client_key_len > GSC_TLS_MAX_KEY_BYTES) {
        return GSC_TLS_ERR_BAD_CLIENT_KEY;
    }

    // The decoders are large (about 2 KiB each) but live only for this call.
    br_x509_decoder_context cert_decoder;
    if (!decode_certificate(client_cert_der, client_cert_len, &cert_decoder)) {
        return GSC_TLS_ERR_BAD_CLIENT_CERT;
    }
    br_x509_decoder_context pin_decoder;
    if (!decode_certificate(pinned_cert_der, pinned_cert_len, &pin_decoder)) {
        return GSC_TLS_ERR_BAD_PINNED_CERT;
    }
    const br_x509_pkey *pinned_key = br_x509_decoder_get_pkey(&pin_decoder);
    if (pinned_key == nullptr ||
        (pinned_key->key_type != BR_KEYTYPE_RSA && pinned_key->key_type != BR_KEYTYPE_EC)) {
        return GSC_TLS_ERR_BAD_PINNED_CERT;
    }
    br_skey_decoder_context key_decoder;
    br_skey_decoder_init(&key_decoder);
    br_skey_decoder_push(&key_decoder, client_key_der, client_key_len);
    const br_rsa_private_key *client_key = br_skey_decoder_get_rsa(&key_decoder);
    if (br_skey_decoder_last_error(&key_decoder) != 0 || client_key == nullptr) {
        return GSC_TLS_ERR_BAD_CLIENT_KEY;
    }

    size_t tail_bytes = client_cert_len + pinned_cert_len + private_key_bytes(*client_key) +
                        gsc::public_key_bytes(*pinned_key);
    size_t total_bytes = sizeof(gsc_tls_client) + tail_bytes;
    auto *c = static_cast<gsc_tls_client *>(gsc_alloc(static_cast<uint32_t>(total_bytes)));
    if (c == nullptr) {
        return GSC_ERR_OUT_OF_MEMORY;
    }
    memset(c, 0, sizeof *c);
    c->memory_bytes = static_cast<uint32_t>(total_bytes);
    uint8_t *cursor = reinterpret_cast<uint8_t *>(c + 1);
    c->client_chain.data = stash(&cursor, client_cert_der, client_cert_len);
    c->client_chain.data_len = client_cert_len;
    copy_private_key(*client_key, &cursor, &c->client_key);
    const uint8_t *pinned_copy = stash(&cursor, pinned_cert_der, pinned_cert_len);
    br_x509_pkey pinned_key_copy;
    gsc::copy_public_key(*pinned_key, cursor, &pinned_key_copy);
    gsc::pinned_x509_init(&c->x509, pinned_copy, pinned_cert_len, pinned_key_copy);

    configure_engine(c);
    br_ssl_engine_inject_entropy(engine(c), seed, seed_len);
    // No server name: the pin identifies the host, and Sunshine needs no SNI. No resumption:
    // every request is a fresh connection that must present the client certificate.
    if (!br_ssl_client_reset(&c->ssl, nullptr, 0)) {
        gsc_free(c);
        return GSC_TLS_ERR_INTERNAL;
    }
    *out_client = c;
    return GSC_OK;
}

void gsc_tls_client_destroy(gsc_tls_client *client) {
    if (client == nullptr) {
        return;
    }
    // The private key was copied in: do not leave it in freed memory.
    memset(client, 0, client->memory_bytes);
    gsc_free(client);
}

uint32_t gsc_tls_client_state(const gsc_tls_client *client) {
    if (client->last_error != GSC_OK) {
        return GSC_TLS_STATE_FAILED;
    }
    if (client->close_requested || client->tcp_ended) {
        return GSC_TLS_STATE_CLOSED;
    }
    if (br_ssl_engine_current_state(&client->ssl.eng) & BR_SSL_CLOSED) {
        return GSC_TLS_STATE_CLOSED;
    }
    return client->handshake_done ? GSC_TLS_STATE_OPEN : GSC_TLS_STATE_HANDSHAKING;
}

gsc_status gsc_tls_client_last_error(const gsc_tls_client *client) {
    return client->last_error;
}

uint32_t gsc_tls_client_engine_error(const gsc_tls_client *client) {
    return client->engine_error;
}

uint8_t *gsc_tls_client_rx_buf(gsc_tls_client *client, uint32_t *out_cap) {
    *out_cap = 0;
    if (gsc_tls_client_state(client) >= GSC_TLS_STATE_CLOSED) {
        return nullptr;
    }
    size_t cap = 0;
    unsigned char *buf = br_ssl_engine_recvrec_buf(engine(client), &cap);
    if (buf == nullptr) {
        return nullptr;
    }
    *out_cap = static_cast<uint32_t>(cap);
    return buf;
}

gsc_status gsc_tls_client_rx_commit(gsc_tls_client *client, uint32_t len) {
    uint32_t cap = 0;
    uint8_t *buf = gsc_tls_client_rx_buf(client, &cap);
    if (buf == nullptr) {
        return GSC_ERR_BAD_STATE;
    }
    if (len > cap) {
        return GSC_ERR_BAD_LENGTH;
    }
    if (len == 0) {
        return GSC_OK;
    }
    // BearSSL would also reject these bytes, but only as a bad version or type: a plain HTTP
    // answer on the HTTPS port deserves its own name.
    if (!client->bytes_received && (buf[0] < kFirstRecordType || buf[0] > kLastRecordType)) {
        client->bytes_received = true;
        fail(client, GSC_TLS_ERR_NOT_TLS, 0);
        return client->last_error;
    }
    client->bytes_received = true;
    track_records(client, buf, len);
    br_ssl_engine_recvrec_ack(engine(client), len);
    sync(client);
    return client->last_error;
}

gsc_status gsc_tls_client_rx_eof(gsc_tls_client *client) {
    uint32_t state = gsc_tls_client_state(client);
    if (state < GSC_TLS_STATE_CLOSED && inside_record(client)) {
        fail(client, GSC_TLS_ERR_TRUNCATED_RECORD, 0);
    } else if (state == GSC_TLS_STATE_HANDSHAKING) {
        fail(client, GSC_TLS_ERR_PEER_CLOSED, 0);
    } else if (state == GSC_TLS_STATE_OPEN) {
        fail(client, GSC_TLS_ERR_TRUNCATED, 0);
    }
    client->tcp_ended = true;
    return client->last_error;
}

const uint8_t *gsc_tls_client_tx_peek(gsc_tls_client *client, uint32_t *out_len) {
    size_t len = 0;
    const unsigned char *buf = br_ssl_engine_sendrec_buf(engine(client), &len);
    *out_len = buf == nullptr ? 0 : static_cast<uint32_t>(len);
    return buf;
}

gsc_status gsc_tls_client_tx_ack(gsc_tls_client *client, uint32_t len) {
    uint32_t available = 0;
    if (gsc_tls_client_tx_peek(client, &available) == nullptr && len != 0) {
        return GSC_ERR_BAD_STATE;
    }
    if (len > available) {
        return GSC_ERR_BAD_LENGTH;
    }
    if (len == 0) {
        return GSC_OK;
    }
    br_ssl_engine_sendrec_ack(engine(client), len);
    sync(client);
    return GSC_OK;
}

uint8_t *gsc_tls_client_app_tx_buf(gsc_tls_client *client, uint32_t *out_cap) {
    *out_cap = 0;
    if (gsc_tls_client_state(client) != GSC_TLS_STATE_OPEN) {
        return nullptr;
    }
    size_t cap = 0;
    unsigned char *buf = br_ssl_engine_sendapp_buf(engine(client), &cap);
    if (buf == nullptr) {
        return nullptr;
    }
    *out_cap = static_cast<uint32_t>(cap);
    return buf;
}

gsc_status gsc_tls_client_app_tx_commit(gsc_tls_client *client, uint32_t len) {
    uint32_t cap = 0;
    if (gsc_tls_client_app_tx_buf(client, &cap) == nullptr) {
        return GSC_ERR_BAD_STATE;
    }
    if (len > cap) {
        return GSC_ERR_BAD_LENGTH;
    }
    if (len == 0) {
        return GSC_OK;
    }
    br_ssl_engine_sendapp_ack(engine(client), len);
    // Seal at once: the binding writes whole requests, and an unsealed record never leaves.
    br_ssl_engine_flush(engine(client), 0);
    sync(client);
    return GSC_OK;
}

const uint8_t *gsc_tls_client_app_rx_peek(gsc_tls_client *client, uint32_t *out_len) {
    size_t len = 0;
    const unsigned char *buf = br_ssl_engine_recvapp_buf(engine(client), &len);
    *out_len = buf == nullptr ? 0 : static_cast<uint32_t>(len);
    return buf;
}

gsc_status gsc_tls_client_app_rx_ack(gsc_tls_client *client, uint32_t len) {
    uint32_t available = 0;
    if (gsc_tls_client_app_rx_peek(client, &available) == nullptr && len != 0) {
        return GSC_ERR_BAD_STATE;
    }
    if (len > available) {
        return GSC_ERR_BAD_LENGTH;
    }
    if (len == 0) {
        return GSC_OK;
    }
    br_ssl_engine_recvapp_ack(engine(client), len);
    sync(client);
    return GSC_OK;
}

gsc_status gsc_tls_client_close(gsc_tls_client *client) {
    if (gsc_tls_client_state(client) >= GSC_TLS_STATE_CLOSED) {
        return GSC_OK;
    }
    client->close_requested = true;
    if (!engine_closed(client)) {
        br_ssl_engine_close(engine(client));
    }
    return GSC_OK;
}

uint32_t gsc_tls_client_memory_bytes(const gsc_tls_client *client) {
    return client->memory_bytes;
}
