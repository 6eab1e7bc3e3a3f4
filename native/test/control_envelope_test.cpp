// The control stream's encrypted envelope (data-plane.md §4.3): known answers taken from
// sunshine-0.23.1/dev-h264-720p60 (key from its keys.json), and every way an envelope can be
// wrong.
#include <cstring>

#include "control_envelope.hpp"
#include "control_messages.hpp"
#include "test_harness.hpp"

namespace {

using gsc_test::Bytes;
using gsc::ControlDirection;
using gsc::ControlOpenResult;

const Bytes kKey = gsc_test::hex("38d75e873869d09f893a31e8145e47db");

// The session's first client message (0x0302 "00 00", sequence 0), its second (0x0307 "00",
// sequence 1), and the host's HDR-mode message (0x010e, 27 zero bytes, sequence 0), as sent.
const char *const kClientFirst = "01001a0000000000cdbdb68adb5571b2ecf301ace8fed18039a8b464019b";
const char *const kClientSecond = "0100190001000000b4b2427d85d263aa2e5517edb93ed29b7af43a0974";
const char *const kHostHdr =
    "0100330000000000bfd2ada44293cb33a15373971b403d4b159efb9fbcf4da41c4513322b2deebe07f8e2aff1e5afb56f05b2759341614";

ControlOpenResult open(const Bytes &packet, ControlDirection direction, gsc::ControlMessage &m, Bytes &scratch) {
    scratch.assign(gsc::kControlMessageHeaderBytes + gsc::kControlMaxPayloadBytes, 0);
    return gsc::control_open(kKey.data(), direction, packet.data(), packet.size(), scratch.data(), scratch.size(), m);
}

TEST(control_envelope_nonce_is_sequence_then_zeros_then_origin_and_stream) {
    uint8_t nonce[gsc::kControlNonceBytes];
    gsc::control_nonce(0x01020304, ControlDirection::kClientToHost, nonce);
    CHECK_BYTES(nonce, sizeof nonce, "04030201 000000000000 43 43");
    gsc::control_nonce(7, ControlDirection::kHostToClient, nonce);
    CHECK_BYTES(nonce, sizeof nonce, "07000000 000000000000 48 43");
}

TEST(control_envelope_seal_reproduces_the_reference_clients_messages) {
    uint8_t out[gsc::kControlMaxEnvelopeBytes];
    const uint8_t idr[] = {0, 0};
    size_t size = gsc::control_seal(kKey.data(), 0, ControlDirection::kClientToHost, gsc::kControlTypeRequestIdr, idr,
                                    sizeof idr, out, sizeof out);
    CHECK_BYTES(out, size, kClientFirst);
    const uint8_t start_b[] = {0};
    size = gsc::control_seal(kKey.data(), 1, ControlDirection::kClientToHost, gsc::kControlTypeStartB, start_b,
                             sizeof start_b, out, sizeof out);
    CHECK_BYTES(out, size, kClientSecond);
    const uint8_t hdr[27] = {};
    size = gsc::control_seal(kKey.data(), 0, ControlDirection::kHostToClient, gsc::kControlTypeHdrMode, hdr, sizeof hdr,
                             out, sizeof out);
    CHECK_BYTES(out, size, kHostHdr);
}

TEST(control_envelope_open_reads_the_hosts_message) {
    gsc::ControlMessage m{};
    Bytes scratch;
    REQUIRE(open(gsc_test::hex(kHostHdr), ControlDirection::kHostToClient, m, scratch) == ControlOpenResult::kOk);
    CHECK_EQ(m.sequence, 0u);
    CHECK_EQ(m.type, gsc::kControlTypeHdrMode);
    CHECK_EQ(m.payload_bytes, 27);
    CHECK(Bytes(m.payload, m.payload + m.payload_bytes) == Bytes(27, 0));
}

TEST(control_envelope_altered_or_misdirected_envelopes_fail_authentication) {
    const Bytes good = gsc_test::hex(kClientFirst);
    gsc::ControlMessage m{};
    Bytes scratch;
    CHECK(open(good, ControlDirection::kHostToClient, m, scratch) == ControlOpenResult::kAuthFailed);
    for (size_t at : {size_t{4}, size_t{8}, size_t{23}, size_t{24}, good.size() - 1}) {
        Bytes bad = good;
        bad[at] ^= 0x01;  // sequence, tag, ciphertext
        CHECK(open(bad, ControlDirection::kClientToHost, m, scratch) == ControlOpenResult::kAuthFailed);
        CHECK(m.payload == nullptr);
    }
}

struct BadCase {
    const char *name;
    const char *hex;
    ControlOpenResult expected;
};

const BadCase kBad[] = {
    {"empty", "", ControlOpenResult::kMalformed},
    {"one byte", "01", ControlOpenResult::kMalformed},
    {"V1 message, no envelope", "0203 0000", ControlOpenResult::kNotEnvelope},
    {"L under 24", "0100 1700 00000000 00000000000000000000000000000000 000000", ControlOpenResult::kMalformed},
    {"L says one byte more than the packet", "0100 1b00 00000000 00000000000000000000000000000000 02030000",
     ControlOpenResult::kMalformed},
    {"L says one byte less than the packet", "0100 1800 00000000 00000000000000000000000000000000 0203000000",
     ControlOpenResult::kMalformed},
    {"cut inside the tag", "0100 1800 00000000 0000000000", ControlOpenResult::kMalformed},
};

TEST(control_envelope_bad_lengths_and_plain_messages_are_refused_before_decryption) {
    for (const auto &c : kBad) {
        gsc::ControlMessage m{};
        Bytes scratch;
        const ControlOpenResult got = open(gsc_test::hex(c.hex), ControlDirection::kHostToClient, m, scratch);
        if (got != c.expected) std::fprintf(stderr, "  case \"%s\"\n", c.name);
        CHECK(got == c.expected);
    }
}

TEST(control_envelope_every_truncation_of_a_valid_envelope_is_refused) {
    const Bytes good = gsc_test::hex(kHostHdr);
    for (size_t cut = 0; cut < good.size(); ++cut) {
        const Bytes part(good.begin(), good.begin() + static_cast<long>(cut));
        gsc::ControlMessage m{};
        Bytes scratch;
        CHECK(open(part, ControlDirection::kHostToClient, m, scratch) != ControlOpenResult::kOk);
    }
}

TEST(control_envelope_inner_length_and_nesting_are_checked_after_decryption) {
    uint8_t out[gsc::kControlMaxEnvelopeBytes];
    // A nested envelope: inner type 0x0001 (Sunshine ends a session over it; we drop it).
    const uint8_t payload[4] = {1, 2, 3, 4};
    size_t size = gsc::control_seal(kKey.data(), 3, ControlDirection::kHostToClient, gsc::kControlEnvelopeMarker, payload,
                                    sizeof payload, out, sizeof out);
    REQUIRE(size != 0);
    gsc::ControlMessage m{};
    Bytes scratch;
    CHECK(open(Bytes(out, out + size), ControlDirection::kHostToClient, m, scratch) == ControlOpenResult::kMalformed);
}

TEST(control_envelope_payload_limit_is_1024_bytes_both_ways) {
    std::vector<uint8_t> out(gsc::kControlMaxEnvelopeBytes + 1);
    const Bytes payload(gsc::kControlMaxPayloadBytes + 1, 0x11);
    CHECK_EQ(gsc::control_seal(kKey.data(), 0, ControlDirection::kHostToClient, 0x0206, payload.data(), payload.size(),
                               out.data(), out.size()),
             0u);
    size_t size = gsc::control_seal(kKey.data(), 0, ControlDirection::kHostToClient, 0x0206, payload.data(),
                                    payload.size() - 1, out.data(), out.size());
    REQUIRE_EQ(size, gsc::kControlMaxEnvelopeBytes);
    CHECK_EQ(gsc::control_seal(kKey.data(), 0, ControlDirection::kHostToClient, 0x0206, payload.data(), payload.size() - 1,
                               out.data(), size - 1),
             0u);
    gsc::ControlMessage m{};
    Bytes scratch;
    CHECK(open(Bytes(out.begin(), out.begin() + static_cast<long>(size)), ControlDirection::kHostToClient, m, scratch) ==
          ControlOpenResult::kOk);
    // limit + 1: an envelope whose L claims 1025 payload bytes is refused before decryption.
    Bytes over(gsc::kControlEnvelopeHeaderBytes + 4 + gsc::kControlMaxPayloadBytes + 1, 0);
    over[0] = 0x01;
    const uint16_t length = static_cast<uint16_t>(over.size() - 4);
    over[2] = static_cast<uint8_t>(length);
    over[3] = static_cast<uint8_t>(length >> 8);
    CHECK(open(over, ControlDirection::kHostToClient, m, scratch) == ControlOpenResult::kTooLarge);
}

}  // namespace
