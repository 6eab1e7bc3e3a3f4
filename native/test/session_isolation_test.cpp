// Style guide B.3 and C.6: two sessions in one process do not affect each other, and the same
// config, seed, datagrams and times give byte-identical outputs (transmits and events, with
// every borrowed byte), on recorded Sunshine traffic.
#include <cstdio>

#include "session_test_support.hpp"
#include "test_harness.hpp"

using session_test::Capture;
using session_test::Output;
using session_test::SessionCase;

namespace {

struct Loaded {
    const SessionCase *c;
    Capture capture;
    gsc_session_config config;
};

bool load(const SessionCase &c, Loaded &out, uint32_t flags) {
    out.c = &c;
    if (!session_test::load_capture(c, out.capture)) {
        std::fprintf(stderr, "  (skipped: %s not found; set GSC_CAPTURES_DIR)\n", c.folder);
        return false;
    }
    out.config = session_test::config_for(c, out.capture, flags);
    return true;
}

// The whole recording through one fresh session; the digest covers everything it produced.
uint64_t solo_digest(const Loaded &l) {
    gsc_session *s = nullptr;
    if (gsc_session_create(&l.config, sizeof l.config, &s) != GSC_OK) return 0;
    Output out;
    session_test::replay(s, l.capture.inputs, out);
    gsc_session_destroy(s);
    return out.digest;
}

}  // namespace

TEST(session_same_config_and_inputs_give_byte_identical_outputs) {
    Loaded l;
    if (!load(session_test::kSessionCases[3], l, 0)) return;
    const uint64_t first = solo_digest(l);
    CHECK(first != 0);
    CHECK_EQ(solo_digest(l), first);
    // Media alone draws nothing from the seed; the key, though, shapes every output.
    l.config.seed[0] ^= 1;
    CHECK_EQ(solo_digest(l), first);
    l.config.aes_key[0] ^= 1;
    CHECK(solo_digest(l) != first);
}

TEST(session_two_sessions_interleaved_in_one_process_each_give_what_they_give_alone) {
    Loaded a, b;
    if (!load(session_test::kSessionCases[0], a, 0) || !load(session_test::kSessionCases[3], b, 0)) return;
    const uint64_t alone_a = solo_digest(a);
    const uint64_t alone_b = solo_digest(b);

    gsc_session *sa = nullptr, *sb = nullptr;
    REQUIRE_EQ(gsc_session_create(&a.config, sizeof a.config, &sa), GSC_OK);
    REQUIRE_EQ(gsc_session_create(&b.config, sizeof b.config, &sb), GSC_OK);
    Output out_a, out_b;
    const auto &ia = a.capture.inputs;
    const auto &ib = b.capture.inputs;
    REQUIRE_EQ(gsc_session_handle_timeout(sa, session_test::lo(ia[0].time_us), session_test::hi(ia[0].time_us)), GSC_OK);
    session_test::drain(sa, out_a);
    REQUIRE_EQ(gsc_session_handle_timeout(sb, session_test::lo(ib[0].time_us), session_test::hi(ib[0].time_us)), GSC_OK);
    session_test::drain(sb, out_b);
    // One datagram to each in turn: every call on one session falls between calls on the other.
    for (size_t i = 0; i < ia.size() || i < ib.size(); i++) {
        if (i < ia.size() && ia[i].channel != GSC_SESSION_CHANNEL_CONTROL) {
            session_test::run_until(sa, ia[i].time_us, out_a);
            CHECK_EQ(session_test::feed(sa, ia[i].channel, ia[i].bytes.data(), ia[i].bytes.size(), ia[i].time_us, out_a), GSC_OK);
        }
        if (i < ib.size() && ib[i].channel != GSC_SESSION_CHANNEL_CONTROL) {
            session_test::run_until(sb, ib[i].time_us, out_b);
            CHECK_EQ(session_test::feed(sb, ib[i].channel, ib[i].bytes.data(), ib[i].bytes.size(), ib[i].time_us, out_b), GSC_OK);
        }
    }
    CHECK_EQ(out_a.digest, alone_a);
    CHECK_EQ(out_b.digest, alone_b);
    CHECK_EQ(out_a.frames.size(), size_t{a.c->frames_on_wire});
    CHECK_EQ(out_b.frames.size(), size_t{b.c->frames_on_wire});
    gsc_session_destroy(sa);
    gsc_session_destroy(sb);
}
