#include "tls_pinned_x509.hpp"

#include <string.h>

namespace gsc {
namespace {

PinnedX509 *self(const br_x509_class **ctx) {
    return reinterpret_cast<PinnedX509 *>(ctx);
}

void start_chain(const br_x509_class **ctx, const char *server_name) {
    // No host name check: the pin identifies the host (control-plane.md §2.3).
    (void)server_name;
    PinnedX509 *x = self(ctx);
    x->certs_seen = 0;
    x->bytes_matched = 0;
    x->ee_matches = false;
}

void start_cert(const br_x509_class **ctx, uint32_t length) {
    PinnedX509 *x = self(ctx);
    if (x->certs_seen == 0) {
        x->ee_matches = length == x->pinned_len;
        x->bytes_matched = 0;
    }
}

void append(const br_x509_class **ctx, const unsigned char *buf, size_t len) {
    PinnedX509 *x = self(ctx);
    // Only the end-entity certificate matters; extra chain certificates are ignored.
    if (x->certs_seen != 0 || !x->ee_matches) {
        return;
    }
    if (len > x->pinned_len - x->bytes_matched ||
        memcmp(x->pinned_der + x->bytes_matched, buf, len) != 0) {
        x->ee_matches = false;
        return;
    }
    x->bytes_matched += static_cast<uint32_t>(len);
}

void end_cert(const br_x509_class **ctx) {
    self(ctx)->certs_seen += 1;
}

unsigned end_chain(const br_x509_class **ctx) {
    PinnedX509 *x = self(ctx);
    if (x->certs_seen == 0) {
        return BR_ERR_X509_EMPTY_CHAIN;
    }
    if (!x->ee_matches || x->bytes_matched != x->pinned_len) {
        x->ee_matches = false;
        x->mismatch_seen = true;
        return BR_ERR_X509_NOT_TRUSTED;
    }
    return 0;
}

const br_x509_pkey *get_pkey(const br_x509_class *const *ctx, unsigned *usages) {
    const PinnedX509 *x = reinterpret_cast<const PinnedX509 *>(ctx);
    if (!x->ee_matches) {
        return nullptr;
    }
    // The pinned certificate is trusted for what a TLS server key does: sign the ECDHE
    // parameters, or (with suites we do not offer) take part in key exchange.
    if (usages != nullptr) {
        *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    }
    return &x->pinned_key;
}

const br_x509_class kPinnedX509Class = {
    sizeof(PinnedX509), start_chain, start_cert, append, end_cert, end_chain, get_pkey,
};

}  // namespace

void pinned_x509_init(PinnedX509 *x509, const uint8_t *pinned_der, uint32_t pinned_len,
                      const br_x509_pkey &pinned_key) {
    memset(x509, 0, sizeof *x509);
    x509->vtable = &kPinnedX509Class;
    x509->pinned_der = pinned_der;
    x509->pinned_len = pinned_len;
    x509->pinned_key = pinned_key;
}

bool pinned_x509_rejected(const PinnedX509 &x509) {
    return x509.mismatch_seen;
}

uint32_t public_key_bytes(const br_x509_pkey &key) {
    if (key.key_type == BR_KEYTYPE_RSA) {
        return static_cast<uint32_t>(key.key.rsa.nlen + key.key.rsa.elen);
    }
    return static_cast<uint32_t>(key.key.ec.qlen);
}

void copy_public_key(const br_x509_pkey &key, uint8_t *storage, br_x509_pkey *out) {
    *out = key;
    if (key.key_type == BR_KEYTYPE_RSA) {
        memcpy(storage, key.key.rsa.n, key.key.rsa.nlen);
        memcpy(storage + key.key.rsa.nlen, key.key.rsa.e, key.key.rsa.elen);
        out->key.rsa.n = storage;
        out->key.rsa.e = storage + key.key.rsa.nlen;
        return;
    }
    memcpy(storage, key.key.ec.q, key.key.ec.qlen);
    out->key.ec.q = storage;
}

}  // namespace gsc
