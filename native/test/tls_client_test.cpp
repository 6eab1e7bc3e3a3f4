// Native tests of the TLS client (gsc_tls.h). The peer is BearSSL's own server engine, run
// in-process and wired to the client through memory, so full handshakes with client
// authentication run without sockets, deterministically (both sides are seeded).
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include <bearssl.h>

#include "gsc_tls.h"
#include "test_harness.hpp"

using gsc_test::Bytes;
using gsc_test::hex;

namespace {

// RSA-2048 certificates and PKCS#1 keys made with the openssl CLI for these tests, shaped as
// GameStream's (self-signed, SHA-256; CN=NVIDIA GameStream Client / Sunshine Gamestream Host).
extern const char kClientCertHex[];
extern const char kClientKeyHex[];
extern const char kServerCertHex[];
extern const char kServerKeyHex[];

// Every drive loop stops after this many steps; a handshake needs fewer than 20 whole-chunk
// steps, and about 4,000 when every byte travels alone.
constexpr int kMaxSteps = 20000;

// The server's accepts-anything X.509 engine: it records the end-entity certificate the client
// presented and hands its key to the engine, which then checks the CertificateVerify signature.
struct RecordingX509 {
    const br_x509_class *vtable;  // first: BearSSL passes its address as the context
    br_x509_decoder_context decoder;
    uint8_t ee[GSC_TLS_MAX_CERT_BYTES];
    uint32_t ee_len;
    uint32_t certs;
};

RecordingX509 *recording(const br_x509_class **ctx) { return reinterpret_cast<RecordingX509 *>(ctx); }

const br_x509_class kRecordingX509Class = {
    sizeof(RecordingX509),
    [](const br_x509_class **ctx, const char *) {
        RecordingX509 *x = recording(ctx);
        x->ee_len = 0;
        x->certs = 0;
        br_x509_decoder_init(&x->decoder, nullptr, nullptr);
    },
    [](const br_x509_class **, uint32_t) {},
    [](const br_x509_class **ctx, const unsigned char *buf, size_t len) {
        RecordingX509 *x = recording(ctx);
        if (x->certs != 0 || len > sizeof x->ee - x->ee_len) return;
        memcpy(x->ee + x->ee_len, buf, len);
        x->ee_len += static_cast<uint32_t>(len);
        br_x509_decoder_push(&x->decoder, buf, len);
    },
    [](const br_x509_class **ctx) { recording(ctx)->certs++; },
    [](const br_x509_class **ctx) -> unsigned {
        RecordingX509 *x = recording(ctx);
        return x->certs == 0 ? BR_ERR_X509_EMPTY_CHAIN : static_cast<unsigned>(br_x509_decoder_last_error(&x->decoder));
    },
    [](const br_x509_class *const *ctx, unsigned *usages) -> const br_x509_pkey * {
        auto *x = reinterpret_cast<RecordingX509 *>(const_cast<const br_x509_class **>(ctx));
        if (usages != nullptr) *usages = BR_KEYTYPE_SIGN;
        return br_x509_decoder_get_pkey(&x->decoder);
    },
};

// A BearSSL TLS 1.2 server that requires a client certificate (as Sunshine does).
struct TestServer {
    br_ssl_server_context ssl;
    RecordingX509 x509;
    br_skey_decoder_context key_decoder;
    br_x509_certificate chain;
    br_x500_name ca_name;
    Bytes cert;
    Bytes received;  // plaintext from the client
    unsigned char buffer[BR_SSL_BUFSIZE_BIDI];
};

std::unique_ptr<TestServer> make_server(const char *cert_hex, const char *key_hex, uint8_t seed_byte) {
    auto s = std::make_unique<TestServer>();
    s->cert = hex(cert_hex);
    Bytes key = hex(key_hex);
    br_skey_decoder_init(&s->key_decoder);
    br_skey_decoder_push(&s->key_decoder, key.data(), key.size());
    s->chain = {s->cert.data(), s->cert.size()};
    br_ssl_server_init_full_rsa(&s->ssl, &s->chain, 1, br_skey_decoder_get_rsa(&s->key_decoder));
    br_ssl_engine_set_default_rsavrfy(&s->ssl.eng);
    // Any name makes BearSSL send a CertificateRequest; the client does not filter on it.
    static const unsigned char kAnyName[] = {0x30, 0x00};
    s->ca_name = {const_cast<unsigned char *>(kAnyName), sizeof kAnyName};
    br_ssl_server_set_trust_anchor_names(&s->ssl, &s->ca_name, 1);
    s->x509.vtable = &kRecordingX509Class;
    br_ssl_engine_set_x509(&s->ssl.eng, &s->x509.vtable);
    // Two separate halves: BearSSL 0.6's br_ssl_engine_set_buffer() overlaps them in bidi mode.
    br_ssl_engine_set_buffers_bidi(&s->ssl.eng, s->buffer, BR_SSL_BUFSIZE_INPUT, s->buffer + BR_SSL_BUFSIZE_INPUT,
                                   BR_SSL_BUFSIZE_OUTPUT);
    Bytes seed(32, seed_byte);
    br_ssl_engine_inject_entropy(&s->ssl.eng, seed.data(), seed.size());
    br_ssl_server_reset(&s->ssl);
    return s;
}

Bytes seed_of(uint8_t byte) { return Bytes(GSC_TLS_MIN_SEED_BYTES, byte); }

struct ClientDeleter {
    void operator()(gsc_tls_client *c) const { gsc_tls_client_destroy(c); }
};
using Client = std::unique_ptr<gsc_tls_client, ClientDeleter>;

Client make_client(const Bytes &pinned, const Bytes &seed) {
    Bytes cert = hex(kClientCertHex);
    Bytes key = hex(kClientKeyHex);
    gsc_tls_client *c = nullptr;
    gsc_status status = gsc_tls_client_create(cert.data(), static_cast<uint32_t>(cert.size()), key.data(),
                                              static_cast<uint32_t>(key.size()), pinned.data(),
                                              static_cast<uint32_t>(pinned.size()), seed.data(),
                                              static_cast<uint32_t>(seed.size()), &c);
    return Client(status == GSC_OK ? c : nullptr);
}

// Moves what each side has to send to the other, at most `chunk_bytes` per hop, and collects
// plaintext on both sides. Records every byte the client sent and received. Returns whether
// anything moved.
struct Link {
    gsc_tls_client *client;
    TestServer *server;
    size_t chunk_bytes;
    Bytes client_sent;
    Bytes client_received;  // TLS bytes from the server
    Bytes plaintext_to_client;
};

bool step(Link &link) {
    bool moved = false;
    br_ssl_engine_context *srv = &link.server->ssl.eng;
    uint32_t out_len = 0;
    const uint8_t *out = gsc_tls_client_tx_peek(link.client, &out_len);
    size_t cap = 0;
    unsigned char *in = br_ssl_engine_recvrec_buf(srv, &cap);
    if (out != nullptr && in != nullptr) {
        size_t n = std::min({static_cast<size_t>(out_len), cap, link.chunk_bytes});
        memcpy(in, out, n);
        link.client_sent.insert(link.client_sent.end(), out, out + n);
        br_ssl_engine_recvrec_ack(srv, n);
        if (gsc_tls_client_tx_ack(link.client, static_cast<uint32_t>(n)) != GSC_OK) return false;
        moved = true;
    }
    size_t srv_len = 0;
    unsigned char *srv_out = br_ssl_engine_sendrec_buf(srv, &srv_len);
    uint32_t in_cap = 0;
    uint8_t *client_in = gsc_tls_client_rx_buf(link.client, &in_cap);
    if (srv_out != nullptr && client_in != nullptr) {
        size_t n = std::min({srv_len, static_cast<size_t>(in_cap), link.chunk_bytes});
        memcpy(client_in, srv_out, n);
        link.client_received.insert(link.client_received.end(), srv_out, srv_out + n);
        br_ssl_engine_sendrec_ack(srv, n);
        moved = true;
        // A failure shows in the client's state, which each test checks.
        if (gsc_tls_client_rx_commit(link.client, static_cast<uint32_t>(n)) != GSC_OK) return moved;
    }
    size_t app_len = 0;
    unsigned char *app = br_ssl_engine_recvapp_buf(srv, &app_len);
    if (app != nullptr) {
        link.server->received.insert(link.server->received.end(), app, app + app_len);
        br_ssl_engine_recvapp_ack(srv, app_len);
        moved = true;
    }
    uint32_t plain_len = 0;
    const uint8_t *plain = gsc_tls_client_app_rx_peek(link.client, &plain_len);
    if (plain != nullptr) {
        link.plaintext_to_client.insert(link.plaintext_to_client.end(), plain, plain + plain_len);
        if (gsc_tls_client_app_rx_ack(link.client, plain_len) != GSC_OK) return false;
        moved = true;
    }
    return moved;
}

void drive(Link &link) {
    for (int i = 0; i < kMaxSteps && step(link); i++) {
    }
}

bool server_open(TestServer &s) {
    return (br_ssl_engine_current_state(&s.ssl.eng) & BR_SSL_SENDAPP) != 0;
}

gsc_status client_write(gsc_tls_client *c, const char *text) {
    uint32_t cap = 0;
    uint8_t *buf = gsc_tls_client_app_tx_buf(c, &cap);
    size_t len = strlen(text);
    if (buf == nullptr || cap < len) return GSC_ERR_BAD_STATE;
    memcpy(buf, text, len);
    return gsc_tls_client_app_tx_commit(c, static_cast<uint32_t>(len));
}

void server_write(TestServer &s, const char *text) {
    size_t cap = 0;
    unsigned char *buf = br_ssl_engine_sendapp_buf(&s.ssl.eng, &cap);
    size_t len = strlen(text);
    if (buf == nullptr || cap < len) return;
    memcpy(buf, text, len);
    br_ssl_engine_sendapp_ack(&s.ssl.eng, len);
    br_ssl_engine_flush(&s.ssl.eng, 0);
}

std::string text_of(const Bytes &b) { return std::string(b.begin(), b.end()); }

// Feeds raw bytes from a fake server to the client, as far as it takes them.
gsc_status feed(gsc_tls_client *c, const Bytes &bytes) {
    size_t at = 0;
    gsc_status status = GSC_OK;
    for (int i = 0; i < kMaxSteps && at < bytes.size(); i++) {
        uint32_t tx_len = 0;
        if (gsc_tls_client_tx_peek(c, &tx_len) != nullptr) {
            if (gsc_tls_client_tx_ack(c, tx_len) != GSC_OK) break;
            continue;
        }
        uint32_t cap = 0;
        uint8_t *buf = gsc_tls_client_rx_buf(c, &cap);
        if (buf == nullptr) break;
        uint32_t n = static_cast<uint32_t>(std::min(static_cast<size_t>(cap), bytes.size() - at));
        memcpy(buf, bytes.data() + at, n);
        at += n;
        status = gsc_tls_client_rx_commit(c, n);
    }
    return status;
}

}  // namespace

namespace {

Bytes client_cert() { return hex(kClientCertHex); }
Bytes server_cert() { return hex(kServerCertHex); }

Link link_of(const Client &client, const std::unique_ptr<TestServer> &server, size_t chunk_bytes) {
    return Link{client.get(), server.get(), chunk_bytes, {}, {}, {}};
}

// A client that completed its handshake with a BearSSL server presenting the pinned cert.
struct OpenPair {
    std::unique_ptr<TestServer> server;
    Client client;
    Link link;
};

std::unique_ptr<OpenPair> open_pair() {
    auto pair = std::make_unique<OpenPair>();
    pair->server = make_server(kServerCertHex, kServerKeyHex, 0x51);
    pair->client = make_client(server_cert(), seed_of(0xc1));
    if (pair->client == nullptr) return nullptr;
    pair->link = link_of(pair->client, pair->server, SIZE_MAX);
    drive(pair->link);
    if (gsc_tls_client_state(pair->client.get()) != GSC_TLS_STATE_OPEN) return nullptr;
    return pair;
}

uint64_t next_random(uint64_t *state) {
    // xorshift64*: a fixed, seeded sequence, so a failing case can be replayed.
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545F4914F6CDD1DULL;
}

}  // namespace

TEST(tls_client_handshake_presents_our_certificate_and_carries_data_both_ways) {
    auto server = make_server(kServerCertHex, kServerKeyHex, 0x51);
    Client client = make_client(server_cert(), seed_of(0xc1));
    REQUIRE(client != nullptr);
    CHECK_EQ(gsc_tls_client_state(client.get()), GSC_TLS_STATE_HANDSHAKING);
    Link link = link_of(client, server, SIZE_MAX);
    drive(link);
    REQUIRE_EQ(gsc_tls_client_state(client.get()), GSC_TLS_STATE_OPEN);
    REQUIRE(server_open(*server));
    CHECK_EQ(gsc_test::to_hex(server->x509.ee, server->x509.ee_len), gsc_test::to_hex(client_cert()));

    CHECK_EQ(client_write(client.get(), "GET /serverinfo HTTP/1.1\r\n\r\n"), GSC_OK);
    server_write(*server, "HTTP/1.1 200 OK\r\n\r\n<root status_code=\"200\"/>");
    drive(link);
    CHECK_EQ(text_of(server->received), std::string("GET /serverinfo HTTP/1.1\r\n\r\n"));
    CHECK_EQ(text_of(link.plaintext_to_client), std::string("HTTP/1.1 200 OK\r\n\r\n<root status_code=\"200\"/>"));
    CHECK_EQ(gsc_tls_client_last_error(client.get()), GSC_OK);
}

TEST(tls_client_handshake_completes_whatever_the_tcp_chunking) {
    const size_t kChunks[] = {1, 2, 5, 7, 100, 1000};
    for (size_t chunk : kChunks) {
        auto server = make_server(kServerCertHex, kServerKeyHex, 0x52);
        Client client = make_client(server_cert(), seed_of(0xc2));
        REQUIRE(client != nullptr);
        Link link = link_of(client, server, chunk);
        drive(link);
        if (gsc_tls_client_state(client.get()) != GSC_TLS_STATE_OPEN) {
            std::fprintf(stderr, "  chunk of %zu bytes: state %u, error %d\n", chunk,
                         gsc_tls_client_state(client.get()), gsc_tls_client_last_error(client.get()));
        }
        CHECK_EQ(gsc_tls_client_state(client.get()), GSC_TLS_STATE_OPEN);
    }
}

TEST(tls_client_rejects_a_server_certificate_other_than_the_pinned_one) {
    auto server = make_server(kServerCertHex, kServerKeyHex, 0x53);
    // A valid certificate, just not the server's.
    Client client = make_client(client_cert(), seed_of(0xc3));
    REQUIRE(client != nullptr);
    Link link = link_of(client, server, SIZE_MAX);
    drive(link);
    CHECK_EQ(gsc_tls_client_state(client.get()), GSC_TLS_STATE_FAILED);
    CHECK_EQ(gsc_tls_client_last_error(client.get()), GSC_TLS_ERR_PIN_MISMATCH);
    CHECK_EQ(std::string(gsc_status_name(gsc_tls_client_last_error(client.get()))),
             std::string("GSC_TLS_ERR_PIN_MISMATCH"));
    CHECK(!server_open(*server));
    uint32_t cap = 0;
    CHECK(gsc_tls_client_app_tx_buf(client.get(), &cap) == nullptr);
}

TEST(tls_client_rejects_a_pin_that_differs_from_the_server_certificate_in_one_byte) {
    auto server = make_server(kServerCertHex, kServerKeyHex, 0x54);
    Bytes pinned = server_cert();
    pinned.back() ^= 0x01;  // the last byte of the signature: still decodes, not identical
    Client client = make_client(pinned, seed_of(0xc4));
    REQUIRE(client != nullptr);
    Link link = link_of(client, server, SIZE_MAX);
    drive(link);
    CHECK_EQ(gsc_tls_client_last_error(client.get()), GSC_TLS_ERR_PIN_MISMATCH);
}

TEST(tls_client_names_what_went_wrong_with_hostile_server_bytes) {
    struct Case {
        const char *name;
        const char *server_hex;
        gsc_status expected;
    };
    const Case kCases[] = {
        {"plain HTTP answer", "485454502f312e3120343030204261642052657175657374", GSC_TLS_ERR_NOT_TLS},
        {"fatal alert handshake_failure", "15030300020228", GSC_TLS_ERR_ALERT_RECEIVED},
        {"record longer than TLS allows", "160303ffff", GSC_TLS_ERR_BAD_RECORD},
        {"application data before the handshake", "170303000401020304", GSC_TLS_ERR_BAD_RECORD},
        {"ServerHello of an unknown version", "160303002a020000260309" "0000000000000000000000000000000000000000000000000000000000000000" "00c02f00",
         GSC_TLS_ERR_HANDSHAKE},
    };
    for (const Case &c : kCases) {
        Client client = make_client(server_cert(), seed_of(0xc5));
        REQUIRE(client != nullptr);
        gsc_status status = feed(client.get(), hex(c.server_hex));
        if (gsc_tls_client_last_error(client.get()) != c.expected) {
            std::fprintf(stderr, "  case '%s': got %s (engine %u)\n", c.name,
                         gsc_status_name(gsc_tls_client_last_error(client.get())),
                         gsc_tls_client_engine_error(client.get()));
        }
        CHECK_EQ(gsc_tls_client_last_error(client.get()), c.expected);
        CHECK_EQ(status, c.expected);
        CHECK_EQ(gsc_tls_client_state(client.get()), GSC_TLS_STATE_FAILED);
        uint32_t cap = 1;
        CHECK(gsc_tls_client_rx_buf(client.get(), &cap) == nullptr);
        CHECK_EQ(cap, 0u);
    }
}

TEST(tls_client_alert_received_keeps_the_alert_number_for_diagnostics) {
    Client client = make_client(server_cert(), seed_of(0xc6));
    REQUIRE(client != nullptr);
    (void)feed(client.get(), hex("1503030002022a"));  // bad_certificate (42): not paired
    CHECK_EQ(gsc_tls_client_engine_error(client.get()), 256u + 42u);
}

TEST(tls_client_tcp_end_inside_a_record_fails_as_truncated_record) {
    const char *kCuts[] = {"16", "16030300", "16030300400200003c0303"};
    for (const char *cut : kCuts) {
        Client client = make_client(server_cert(), seed_of(0xc7));
        REQUIRE(client != nullptr);
        CHECK_EQ(feed(client.get(), hex(cut)), GSC_OK);
        CHECK_EQ(gsc_tls_client_state(client.get()), GSC_TLS_STATE_HANDSHAKING);
        CHECK_EQ(gsc_tls_client_rx_eof(client.get()), GSC_TLS_ERR_TRUNCATED_RECORD);
        CHECK_EQ(gsc_tls_client_state(client.get()), GSC_TLS_STATE_FAILED);
    }
}

TEST(tls_client_tcp_end_between_records_during_the_handshake_fails_as_peer_closed) {
    Client client = make_client(server_cert(), seed_of(0xce));
    REQUIRE(client != nullptr);
    CHECK_EQ(gsc_tls_client_rx_eof(client.get()), GSC_TLS_ERR_PEER_CLOSED);
    CHECK_EQ(gsc_tls_client_state(client.get()), GSC_TLS_STATE_FAILED);
}

TEST(tls_client_survives_random_records_without_opening) {
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 300; i++) {
        Client client = make_client(server_cert(), seed_of(0xc8));
        REQUIRE(client != nullptr);
        // Mostly plausible headers (handshake type, TLS 1.2, small lengths) over random bodies.
        Bytes bytes = {0x16, 0x03, 0x03, 0x00, static_cast<uint8_t>(next_random(&rng) % 200)};
        size_t body = next_random(&rng) % 400;
        for (size_t j = 0; j < body; j++) bytes.push_back(static_cast<uint8_t>(next_random(&rng)));
        if (i % 3 == 0) bytes[0] = static_cast<uint8_t>(next_random(&rng));
        (void)feed(client.get(), bytes);
        gsc_status error = gsc_tls_client_rx_eof(client.get());
        uint32_t state = gsc_tls_client_state(client.get());
        CHECK_EQ(state, GSC_TLS_STATE_FAILED);
        CHECK(error <= -200 && error >= -299);
    }
}

TEST(tls_client_server_record_with_a_flipped_byte_fails_as_bad_record) {
    auto pair = open_pair();
    REQUIRE(pair != nullptr);
    server_write(*pair->server, "HTTP/1.1 200 OK\r\n\r\n");
    size_t len = 0;
    unsigned char *record = br_ssl_engine_sendrec_buf(&pair->server->ssl.eng, &len);
    REQUIRE(record != nullptr);
    Bytes tampered(record, record + len);
    tampered.back() ^= 0x80;  // inside the GCM tag
    CHECK_EQ(feed(pair->client.get(), tampered), GSC_TLS_ERR_BAD_RECORD);
    CHECK_EQ(gsc_tls_client_state(pair->client.get()), GSC_TLS_STATE_FAILED);
    uint32_t plain_len = 0;
    CHECK(gsc_tls_client_app_rx_peek(pair->client.get(), &plain_len) == nullptr);
}

TEST(tls_client_server_close_notify_after_the_response_ends_cleanly) {
    auto pair = open_pair();
    REQUIRE(pair != nullptr);
    server_write(*pair->server, "HTTP/1.1 200 OK\r\n\r\nbody");
    br_ssl_engine_close(&pair->server->ssl.eng);
    drive(pair->link);
    CHECK_EQ(text_of(pair->link.plaintext_to_client), std::string("HTTP/1.1 200 OK\r\n\r\nbody"));
    CHECK_EQ(gsc_tls_client_state(pair->client.get()), GSC_TLS_STATE_CLOSED);
    CHECK_EQ(gsc_tls_client_last_error(pair->client.get()), GSC_OK);
    // The client answered with its own close_notify, so the server closed without error.
    CHECK(br_ssl_engine_current_state(&pair->server->ssl.eng) == BR_SSL_CLOSED);
    CHECK_EQ(br_ssl_engine_last_error(&pair->server->ssl.eng), BR_ERR_OK);
    CHECK_EQ(gsc_tls_client_rx_eof(pair->client.get()), GSC_OK);
    CHECK_EQ(gsc_tls_client_state(pair->client.get()), GSC_TLS_STATE_CLOSED);
}

TEST(tls_client_tcp_end_after_the_handshake_without_close_notify_is_truncation) {
    auto pair = open_pair();
    REQUIRE(pair != nullptr);
    CHECK_EQ(gsc_tls_client_rx_eof(pair->client.get()), GSC_TLS_ERR_TRUNCATED);
    CHECK_EQ(gsc_tls_client_state(pair->client.get()), GSC_TLS_STATE_FAILED);
}

TEST(tls_client_close_sends_close_notify_and_takes_no_more_plaintext) {
    auto pair = open_pair();
    REQUIRE(pair != nullptr);
    CHECK_EQ(gsc_tls_client_close(pair->client.get()), GSC_OK);
    CHECK_EQ(gsc_tls_client_state(pair->client.get()), GSC_TLS_STATE_CLOSED);
    uint32_t cap = 0;
    CHECK(gsc_tls_client_app_tx_buf(pair->client.get(), &cap) == nullptr);
    drive(pair->link);
    // The server got our close_notify: once its own is drained, it is closed without error.
    br_ssl_engine_context *srv = &pair->server->ssl.eng;
    size_t len = 0;
    for (int i = 0; i < kMaxSteps && br_ssl_engine_sendrec_buf(srv, &len) != nullptr; i++) {
        br_ssl_engine_sendrec_ack(srv, len);
    }
    CHECK(br_ssl_engine_current_state(srv) == BR_SSL_CLOSED);
    CHECK_EQ(br_ssl_engine_last_error(srv), BR_ERR_OK);
    CHECK_EQ(gsc_tls_client_close(pair->client.get()), GSC_OK);
}

TEST(tls_client_same_seed_and_inputs_give_identical_bytes_and_clients_share_nothing) {
    // Two connections run interleaved in one process; with equal seeds they must match byte
    // for byte, which also shows neither client leaks state into the other.
    auto server_a = make_server(kServerCertHex, kServerKeyHex, 0x55);
    auto server_b = make_server(kServerCertHex, kServerKeyHex, 0x55);
    Client a = make_client(server_cert(), seed_of(0xc9));
    Client b = make_client(server_cert(), seed_of(0xc9));
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    Link link_a = link_of(a, server_a, 300);
    Link link_b = link_of(b, server_b, 300);
    for (int i = 0; i < kMaxSteps; i++) {
        bool moved_a = step(link_a);
        bool moved_b = step(link_b);
        if (!moved_a && !moved_b) break;
    }
    CHECK_EQ(gsc_tls_client_state(a.get()), GSC_TLS_STATE_OPEN);
    CHECK(!link_a.client_sent.empty());
    CHECK(link_a.client_sent == link_b.client_sent);

    Client c = make_client(server_cert(), seed_of(0xca));
    REQUIRE(c != nullptr);
    uint32_t len_a = 0;
    uint32_t len_c = 0;
    Client fresh_a = make_client(server_cert(), seed_of(0xc9));
    REQUIRE(fresh_a != nullptr);
    const uint8_t *hello_a = gsc_tls_client_tx_peek(fresh_a.get(), &len_a);
    const uint8_t *hello_c = gsc_tls_client_tx_peek(c.get(), &len_c);
    REQUIRE(hello_a != nullptr);
    REQUIRE(hello_c != nullptr);
    CHECK(Bytes(hello_a, hello_a + len_a) != Bytes(hello_c, hello_c + len_c));
}

TEST(tls_client_create_refuses_unusable_inputs) {
    Bytes cert = client_cert();
    Bytes key = hex(kClientKeyHex);
    Bytes pinned = server_cert();
    Bytes seed = seed_of(0xcb);
    Bytes garbage = hex("3003020101");
    Bytes short_seed(GSC_TLS_MIN_SEED_BYTES - 1, 0xcb);
    Bytes huge_cert(GSC_TLS_MAX_CERT_BYTES + 1, 0x30);
    struct Case {
        const char *name;
        const Bytes *cert;
        const Bytes *key;
        const Bytes *pinned;
        const Bytes *seed;
        gsc_status expected;
    };
    const Case kCases[] = {
        {"seed one byte short", &cert, &key, &pinned, &short_seed, GSC_TLS_ERR_BAD_SEED},
        {"client certificate not X.509", &garbage, &key, &pinned, &seed, GSC_TLS_ERR_BAD_CLIENT_CERT},
        {"client key not a key", &cert, &garbage, &pinned, &seed, GSC_TLS_ERR_BAD_CLIENT_KEY},
        {"client key is a certificate", &cert, &cert, &pinned, &seed, GSC_TLS_ERR_BAD_CLIENT_KEY},
        {"pinned certificate not X.509", &cert, &key, &garbage, &seed, GSC_TLS_ERR_BAD_PINNED_CERT},
        {"pinned certificate over the limit", &cert, &key, &huge_cert, &seed, GSC_TLS_ERR_BAD_PINNED_CERT},
    };
    for (const Case &c : kCases) {
        gsc_tls_client *client = reinterpret_cast<gsc_tls_client *>(&seed);  // must be reset to NULL
        gsc_status status = gsc_tls_client_create(
            c.cert->data(), static_cast<uint32_t>(c.cert->size()), c.key->data(), static_cast<uint32_t>(c.key->size()),
            c.pinned->data(), static_cast<uint32_t>(c.pinned->size()), c.seed->data(),
            static_cast<uint32_t>(c.seed->size()), &client);
        if (status != c.expected) std::fprintf(stderr, "  case '%s': got %s\n", c.name, gsc_status_name(status));
        CHECK_EQ(status, c.expected);
        CHECK(client == nullptr);
    }
    CHECK_EQ(gsc_tls_client_create(cert.data(), static_cast<uint32_t>(cert.size()), key.data(),
                                   static_cast<uint32_t>(key.size()), pinned.data(),
                                   static_cast<uint32_t>(pinned.size()), seed.data(),
                                   static_cast<uint32_t>(seed.size()), nullptr),
             GSC_ERR_NULL_ARGUMENT);
}

TEST(tls_client_refuses_lengths_beyond_what_it_offered) {
    Client client = make_client(server_cert(), seed_of(0xcc));
    REQUIRE(client != nullptr);
    uint32_t tx_len = 0;
    REQUIRE(gsc_tls_client_tx_peek(client.get(), &tx_len) != nullptr);
    CHECK_EQ(gsc_tls_client_tx_ack(client.get(), tx_len + 1), GSC_ERR_BAD_LENGTH);
    CHECK_EQ(gsc_tls_client_tx_ack(client.get(), tx_len), GSC_OK);
    uint32_t cap = 0;
    REQUIRE(gsc_tls_client_rx_buf(client.get(), &cap) != nullptr);
    CHECK_EQ(gsc_tls_client_rx_commit(client.get(), cap + 1), GSC_ERR_BAD_LENGTH);
    // No plaintext before the handshake is done.
    CHECK(gsc_tls_client_app_tx_buf(client.get(), &cap) == nullptr);
    CHECK_EQ(gsc_tls_client_app_tx_commit(client.get(), 1), GSC_ERR_BAD_STATE);
    CHECK_EQ(gsc_tls_client_app_rx_ack(client.get(), 1), GSC_ERR_BAD_STATE);
    CHECK_EQ(gsc_tls_client_state(client.get()), GSC_TLS_STATE_HANDSHAKING);
}

TEST(tls_client_memory_is_sized_once_within_budget) {
    Client client = make_client(server_cert(), seed_of(0xcd));
    REQUIRE(client != nullptr);
    // BearSSL's context (~4 KiB), a full 16 KiB input record, a 4 KiB output record, the
    // certificates and key: the client fits in 32 KiB.
    uint32_t bytes = gsc_tls_client_memory_bytes(client.get());
    std::fprintf(stderr, "  one TLS client holds %u bytes\n", bytes);
    CHECK(bytes > BR_SSL_BUFSIZE_INPUT);
    CHECK(bytes < 32u * 1024u);
}

namespace {

const char kClientCertHex[] =
    "30820314308201fca003020102020100300d06092a864886f70d01010b050030233121301f060355"
    "04030c184e56494449412047616d6553747265616d20436c69656e74301e170d3236313132313132"
    "333531335a170d3436313131363132333531335a30233121301f06035504030c184e564944494120"
    "47616d6553747265616d20436c69656e7430820122300d06092a864886f70d01010105000382010f"
    "003082010a0282010100efd3fe72200536842efd9dbca28b1c6f7ff505553a39c692713f2741116f"
    "4ca8fadd1dcc7c978309933beef27894ea7ed3e49254bc304837d1e718860a2a104123d255b08de1"
    "f7b2c993776e1999e00dcd28487c25d5f322dfd1b5aeb6517f2dd8d6586b649527f40208d2223c49"
    "889287e125253f1bccbf46be03d919c5abbb9b3ede8df1fa79c225fb0a30e47c8452845b4f8955f0"
    "6a3f6c285477a5c918dfedfbd016ff8c5847b006c53db9afe67b4df9877204a96a33ff5140386305"
    "94d068b7e4b8f638347ce06270da5c523232168faedc5f30e4ca734ef0ff9eb9b57729877a32ff99"
    "b8cc9d54edcc7ac7758f56be4e53a318ff81fd140d5bdf6e34e10203010001a3533051301d060355"
    "1d0e04160414c728fa80a9c1aed559338c67b542cb17563acc4b301f0603551d23041830168014c7"
    "28fa80a9c1aed559338c67b542cb17563acc4b300f0603551d130101ff040530030101ff300d0609"
    "2a864886f70d01010b0500038201010084cbaab83ca75b046dfb9d5fa0328b907ad23c08e7e85af7"
    "5464a14151d38178e7592534b1a1b16c8d45aa74b7ad45cc4d87f062e9ddcd3d629b21df376d05f6"
    "f2219cb098e958a2d1872ad19f804a3fc46fc7ed370dfb89c2ce4f64c8f9956818afab2d3786755c"
    "1069b1170e28cc09b3e6764e867fe795b3664f99833d5e40bfcc8d8118d6ab0d588c9a09d922e385"
    "5af2ade6e3965a41c902f9e6f333519878db08cd28a4fe267d018340f33c0905c4e5d97a8d8bd8d3"
    "60983b1fc9f36e35310d4f69e79d14824c3b3821f7c9b6c23908780a5913dde8fa728a3b3f802fe4"
    "ea881365586a6664a6a8a5b89c9e004ad6901ae5d254bbff016dd3c861bbaddb"
    ;
const char kClientKeyHex[] =
    "308204a20201000282010100efd3fe72200536842efd9dbca28b1c6f7ff505553a39c692713f2741"
    "116f4ca8fadd1dcc7c978309933beef27894ea7ed3e49254bc304837d1e718860a2a104123d255b0"
    "8de1f7b2c993776e1999e00dcd28487c25d5f322dfd1b5aeb6517f2dd8d6586b649527f40208d222"
    "3c49889287e125253f1bccbf46be03d919c5abbb9b3ede8df1fa79c225fb0a30e47c8452845b4f89"
    "55f06a3f6c285477a5c918dfedfbd016ff8c5847b006c53db9afe67b4df9877204a96a33ff514038"
    "630594d068b7e4b8f638347ce06270da5c523232168faedc5f30e4ca734ef0ff9eb9b57729877a32"
    "ff99b8cc9d54edcc7ac7758f56be4e53a318ff81fd140d5bdf6e34e1020301000102820100059029"
    "9cfbaa1a4aba7931a6d8df84a7bf986334dfff7bc82d284296a057205063c613fb38ad462de75664"
    "b9773787595cfc7e82589d8f39cc00b60b732e38cb7d87732b57ddb4da6ee188cbd70c402fbac569"
    "49c7b206e8655828c474544770ac98d3830d79a6243365416c57d119f9e1ecf498d8ae022fc24e1d"
    "624c7e36d0a52a6c990cc98f54fb44eb9c185558b2ca4780ee4374ac736a0b9a66e66b56f8d36413"
    "4c89c8ecb69ad7d252bdbda05f44955f1f687ad96a845a1b79a3b4f69518c8ca9b8ee385e2f5bbd7"
    "9514006685007082ba83cb55bb373bdbfd66625a138c9dee2c91c240b53729fb2da271786eb76283"
    "5837e1fccdbc976f6b9ada730102818100fdffd159d49e2d49a1149b0d32669393aee0fc6de11eb4"
    "1e7d095264ddfb31ac21b2854812ba4fb4da76376d6d675020da310fbe83616e5b781811f18d7e04"
    "ac0c6c02a43a34ad6ca2f132926a887bb997d2f4715c40f7567a07314815494daf396e5a8c1ba133"
    "49f60590cdbcb0a6d8d0075891c225a90bbfb4e3a82a61d9e102818100f1b799b16673dc044eeca7"
    "5429520c266ae011c18111f312d0d13a697e2b543cdb4ba7961a74fbe99b64043e734777ed9a0b26"
    "4ac820ace53e90c55db33cfcfc1407e93dfcab75017978ea4e7a0e5f7e91cba9309c5b3280c311f6"
    "08ac37cdecd0d92196a97b9bb7c06fba2ee8edabd1714e31bf2001bdb99c6060632985bb01028180"
    "211724d509281a4a4f5bf9df3c43b4d236a444fea3a7765bca7a5e6b99a7d20ed4cd07241e9c7b29"
    "da94302067726034077900ce171ba85eee4464820da6ef40e2d5677ab1c28f1d6a14f63bb0f95af5"
    "10dc80d00beec2ca57577c8a218bcd3d18c451b3931deb2aa58c9012dd943e085d01b7fe3546e6c1"
    "0b16abda0abb78c10281800497854eee705304adef26fa9d5256b2c0230393567d5dcdc4b3c4d54e"
    "354a8361731d7ae783c3695baf59b949fd5894e5f14247f7674f81875fbeb01a009599c053aa25a8"
    "502587e2a3de67a13ff6a673e4979139d72dad6e873fd2485b430935aa7a4ddf685ebbede6f17584"
    "ad472f5264b6e3379b70dc3ed141e3805d6f010281805f4438da7a4624f4586a4754370f5cb45e72"
    "794d09ee0a10cdea0e08cc3a084e5663ddf1af0ae6ccdbf1ba109305e56cecb99f88e8171253007b"
    "3186a0a795a15f35c546abfa5cb55c7d736415a37863dfe16ecf82b5d39d1a24cad0642a08669c9a"
    "cc43ca5059e1a890f82d20017202cef991bc3302e0327d18cda481970114"
    ;
const char kServerCertHex[] =
    "30820314308201fca003020102020101300d06092a864886f70d01010b050030233121301f060355"
    "04030c1853756e7368696e652047616d6573747265616d20486f7374301e170d3236313132313132"
    "333531335a170d3436313131363132333531335a30233121301f06035504030c1853756e7368696e"
    "652047616d6573747265616d20486f737430820122300d06092a864886f70d01010105000382010f"
    "003082010a02820101009869b474d1ab83e5ca571c11e53e8ca705ba635903d363785ab4db2f02f6"
    "2df3d35da2fd02744eeb4aa4015def252e8ebb8848934b6b05ed0d8c54ba9655fcda111c02098cb2"
    "4338a7aaa9027101a0e254c5fa54a091ec672fc4ca7cab2f66d0dccd938708fcf5b6911dd3afd083"
    "7d648ce17d988117372a9f6f3f2046bad11743976f513410018e748d250a2a1eb233e418ac0cc1af"
    "f4f82aec3a366d30d77453fbef2cc73b7360e79a7b0ba6b5dd56cc209fa267cbdcdcb8b0128203ce"
    "0c720d4b5d5e6a63d81b0dec56e524a19ad0e8f533aa55900d9da43bcef629bcb5797c80d8e253a9"
    "6da37ddfab6fbe431ab27df1d5772fc58866fffab48cbab41ab50203010001a3533051301d060355"
    "1d0e04160414276df9a34ccb9b7b171724c157b3ff5d499dccea301f0603551d2304183016801427"
    "6df9a34ccb9b7b171724c157b3ff5d499dccea300f0603551d130101ff040530030101ff300d0609"
    "2a864886f70d01010b050003820101000089cbcbad77d6e95e2a953161aa4ee24b14fdcb76e10c75"
    "a6b32eb66075783c750c7c6d41cd38ad8ce2f89411d4f1acafa92b3acf0e641d513df165e9d2e4ae"
    "bf7b725e76887e2ed7147aac84a149a222f404a68ed2ee7a601f80ffb84ce84cee4843f3d652205e"
    "4b2c44f07e1c991b24c3550a6856de1dfc5127ec76cc3b349a534c88b2fd4e8e3fffe099c6d31508"
    "91e2dc18f087c6b8b2fe1555c513dd089a80351810b12d6c1e2b67a5f5dbe6efa133be467844258b"
    "def76520173c454b27c6a8acafce9ab92a9d5a3060951e461163ca45ec1f4f9ea0f6d0e7515798dd"
    "c3137c31d5e00c4783de710d35fe658fc29dedddd56e6b0cc0758a609d38b8fd"
    ;
const char kServerKeyHex[] =
    "308204a202010002820101009869b474d1ab83e5ca571c11e53e8ca705ba635903d363785ab4db2f"
    "02f62df3d35da2fd02744eeb4aa4015def252e8ebb8848934b6b05ed0d8c54ba9655fcda111c0209"
    "8cb24338a7aaa9027101a0e254c5fa54a091ec672fc4ca7cab2f66d0dccd938708fcf5b6911dd3af"
    "d0837d648ce17d988117372a9f6f3f2046bad11743976f513410018e748d250a2a1eb233e418ac0c"
    "c1aff4f82aec3a366d30d77453fbef2cc73b7360e79a7b0ba6b5dd56cc209fa267cbdcdcb8b01282"
    "03ce0c720d4b5d5e6a63d81b0dec56e524a19ad0e8f533aa55900d9da43bcef629bcb5797c80d8e2"
    "53a96da37ddfab6fbe431ab27df1d5772fc58866fffab48cbab41ab502030100010282010018bc08"
    "deef7afe06101318795802916976aec3ba39ba77d95ba11fb40eaf3c9066243b5403aeb3f30ff333"
    "4c9707a9f95c7a56cadeb1b0edc265dc8746681087a440af1cf52225f21f15bd6569c9099ec982b2"
    "a842c1c3c3903747e43914d183025e737b75ec35852a2254cd22d2000ace29370c85a0aaa1866bd3"
    "ab0d877a70a37b40bee0e65dc26de154c900815ef391b0f08b831b72a8c771ea0966f1e6fa5ae7a2"
    "71cadae8c9226f6ee75a5e7f9aa1897dd2dbbe20a3acced7778d039e62491b92840c4e99b3a5f1f9"
    "72890574ecf6d43c0095da5fadcaa226b22a999753c5f4a7dee5d7588f12f97b6efa3d1917af0fd6"
    "444eccc62151575cf5575ca37902818100d76161f0e6ac0f1fd56d2591fa249c55ca4dcfd00ebf9e"
    "e02cc14bf4ad00d5a22c28043056d9d2eb50f05baeee7cd643b7274813a8563e5779bfa7a4b4852a"
    "9d271c7d84a53f5656455936e490853cd978c15c4828994e57b4cd0503645ff1c89cfb43ecc5d105"
    "5883839b757b1429fcbbad2513b6fe9f5969c1ab5f9cbd653902818100b5283c9c246af417827e66"
    "ce1452e450bdda0aea61fb2ad4311b50dcf0e431fa7380de6adb9b7814cc770090659847426c7b91"
    "9e1427c0172d1436efc2776ae009a2a1037e4713af86bf3930e7c70a8022ea6d35c84e1a019672bf"
    "15d0bf47174d1cf7816b1b5780086edcf4e8a62e1024a414e4f72bdf67a814057878c5fd5d028180"
    "35ce0a1d98429b74a468a3de17d3558ac9032f4b16a420187895c157da703eee4881a6aa3cc825bc"
    "cb77802fef3c187aca22720b171e946c5de9d7037a655a03f06559a5ed72292b5c1fb16adfffa8f7"
    "db06d2fae3c9889cb87a0f2a8dc4ba2e17a95d8aa4d056b98a0132b0e29262fad417a90f87c38c23"
    "561c1fa7bf0c416102818053bc5e8fba11a9f438005f5ac0703452d1feb86ef08d5d95a9813bd674"
    "8eb63f53266d28ad8be66c8eba2f0b8fba5cadea610fc52701dcbb99bdaf4b11f38af635ddf3591f"
    "0491a7dfbc021e85f42df95eaa4782c5acbc3ea1a1368c49ea305d27eaccc9088e21daef8af71d49"
    "708ef82d479ed4db1f6f6b857883b2d4f8878d0281800b7f3b0f44028afe6e698cf89931580ed334"
    "9653f5daf1f7c1e78d991b22ef43b07ab55716a0bbbb7632d02942c5f65310c8ee87190a42660e9c"
    "a96954de1d771c2c1ecca017c214dfb515dd05ec784ca37206c27594e08002e5a54c1eb94da7bfef"
    "968b4cd01572de7f93968969e85adee3b6ec9561b1d992febafd1e4d2c2a"
    ;

}  // namespace
