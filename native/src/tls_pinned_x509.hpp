// The X.509 "validator" of the TLS client: it trusts exactly one certificate, the one pinned
// at pairing (control-plane.md §2.3), by comparing the server's end-entity certificate with it
// byte for byte as BearSSL streams it in. The server's key is taken from the pinned copy,
// decoded once at create, so nothing from the wire is parsed as X.509 at all.
#pragma once

#include <stdint.h>

#include <bearssl.h>

namespace gsc {

struct PinnedX509 {
    // BearSSL hands this address back as `const br_x509_class **`: keep the vtable first.
    const br_x509_class *vtable;
    const uint8_t *pinned_der;
    uint32_t pinned_len;
    br_x509_pkey pinned_key;
    uint32_t certs_seen;
    uint32_t bytes_matched;
    bool ee_matches;
    bool mismatch_seen;
};

// Prepares the validator; `pinned_der` and the key material in `pinned_key` are borrowed and
// must outlive it.
void pinned_x509_init(PinnedX509 *x509, const uint8_t *pinned_der, uint32_t pinned_len,
                      const br_x509_pkey &pinned_key);

// True once a chain was rejected because its end-entity certificate differs from the pin.
bool pinned_x509_rejected(const PinnedX509 &x509);

// Bytes needed by copy_public_key for the key of `key`.
uint32_t public_key_bytes(const br_x509_pkey &key);

// Copies the key material of `key` into `storage` (public_key_bytes long) and points `out` at it.
void copy_public_key(const br_x509_pkey &key, uint8_t *storage, br_x509_pkey *out);

}  // namespace gsc
