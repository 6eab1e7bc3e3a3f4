// The video receiver as a whole: configuration limits, independence of two receivers,
// determinism, decoder-driven IDR requests, and hostile datagrams in a real stream.
#include "test_harness.hpp"
#include "video_test_support.hpp"

using namespace video_test;

namespace {

struct Output {
    gsc::VideoOutput::Kind kind;
    uint32_t frame;
    Bytes bytes;
    bool operator==(const Output &o) const { return kind == o.kind && frame == o.frame && bytes == o.bytes; }
};

void drain(gsc::VideoReceiver &rx, std::vector<Output> &out) {
    gsc::VideoOutput o;
    while (rx.poll(o)) {
        if (o.kind == gsc::VideoOutput::Kind::kAccessUnit) {
            out.push_back({o.kind, o.access_unit.frame_index, Bytes(o.access_unit.data, o.access_unit.data + o.access_unit.size_bytes)});
        } else {
            out.push_back({o.kind, o.rfi_last_frame, {}});
        }
    }
}

std::vector<Bytes> synthetic_datagrams(uint64_t seed, uint32_t frames) {
    Prng rng{seed};
    Packetizer host;
    std::vector<Bytes> out;
    for (uint32_t f = 1; f <= frames; f++) {
        const std::vector<Bytes> packets = host.frame(f, synthetic_bitstream(rng, 50 + rng.below(5000), f == 1), f == 1 ? 2 : 1);
        out.insert(out.end(), packets.begin(), packets.end());
    }
    return out;
}

}  // namespace

TEST(video_receiver_configuration_out_of_range_is_refused) {
    struct Case {
        const char *name;
        gsc::VideoReceiverConfig config;
        gsc::VideoConfigError expected;
    };
    gsc::VideoReceiverConfig ok, frame_zero, frame_big, header_short, header_long, shards, held;
    frame_zero.max_frame_bytes = 0;
    frame_big.max_frame_bytes = gsc::kMaxVideoFrameBytes + 1;
    header_short.long_frame_header_bytes = gsc::kFrameHeaderShortBytes - 1;
    header_long.long_frame_header_bytes = gsc::kFrameHeaderMaxBytes + 1;
    shards.max_shards_per_block = 0;
    held.max_held_packets = 5;
    const Case cases[] = {
        {"defaults", ok, gsc::VideoConfigError::kNone},
        {"frame 0", frame_zero, gsc::VideoConfigError::kBadFrameBytes},
        {"frame over the limit", frame_big, gsc::VideoConfigError::kBadFrameBytes},
        {"long header too short", header_short, gsc::VideoConfigError::kBadFrameHeaderBytes},
        {"long header too long", header_long, gsc::VideoConfigError::kBadFrameHeaderBytes},
        {"no shards", shards, gsc::VideoConfigError::kBadShardsPerBlock},
        {"too few slots", held, gsc::VideoConfigError::kBadHeldPackets},
    };
    for (const Case &c : cases) {
        gsc::VideoReceiver rx;
        const gsc::VideoConfigError got = rx.init(c.config);
        if (got != c.expected) std::fprintf(stderr, "  case: %s\n", c.name);
        CHECK(got == c.expected);
    }
}

TEST(video_receiver_two_receivers_fed_interleaved_do_not_affect_each_other) {
    const std::vector<Bytes> a = synthetic_datagrams(51, 30), b = synthetic_datagrams(52, 30);
    std::vector<Output> alone_a, alone_b, mixed_a, mixed_b;
    {
        gsc::VideoReceiver rx;
        REQUIRE(rx.init({}) == gsc::VideoConfigError::kNone);
        for (const Bytes &d : a) {
            rx.receive(d.data(), d.size(), 0);
            drain(rx, alone_a);
        }
    }
    {
        gsc::VideoReceiver rx;
        REQUIRE(rx.init({}) == gsc::VideoConfigError::kNone);
        for (const Bytes &d : b) {
            rx.receive(d.data(), d.size(), 0);
            drain(rx, alone_b);
        }
    }
    gsc::VideoReceiver ra, rb;
    REQUIRE(ra.init({}) == gsc::VideoConfigError::kNone);
    REQUIRE(rb.init({}) == gsc::VideoConfigError::kNone);
    for (size_t i = 0; i < std::max(a.size(), b.size()); i++) {
        if (i < a.size()) ra.receive(a[i].data(), a[i].size(), i);
        if (i < b.size()) rb.receive(b[i].data(), b[i].size(), i);
        drain(ra, mixed_a);
        drain(rb, mixed_b);
    }
    CHECK_EQ(alone_a.size(), size_t{30});
    CHECK(alone_a == mixed_a);
    CHECK(alone_b == mixed_b);
}

TEST(video_receiver_the_same_datagrams_give_the_same_outputs_and_counters) {
    const std::vector<Bytes> stream = synthetic_datagrams(53, 40);
    std::vector<Output> runs[2];
    gsc::VideoCounters counters[2];
    for (int r = 0; r < 2; r++) {
        Prng rng{54};
        gsc::VideoReceiver rx;
        REQUIRE(rx.init({}) == gsc::VideoConfigError::kNone);
        for (const Bytes &d : stream) {
            if (rng.chance_percent(15)) continue;
            rx.receive(d.data(), d.size(), 0);
            drain(rx, runs[r]);
        }
        counters[r] = rx.counters();
    }
    CHECK(runs[0] == runs[1]);
    CHECK(std::memcmp(&counters[0], &counters[1], sizeof counters[0]) == 0);
}

TEST(video_receiver_a_decoder_error_yields_an_idr_request_and_drops_until_the_next_key_frame) {
    const std::vector<Bytes> stream = synthetic_datagrams(55, 10);
    gsc::VideoReceiver rx;
    REQUIRE(rx.init({}) == gsc::VideoConfigError::kNone);
    std::vector<Output> out;
    size_t i = 0;
    for (; i < stream.size() && out.size() < 3; i++) {
        rx.receive(stream[i].data(), stream[i].size(), 0);
        drain(rx, out);
    }
    rx.request_idr();
    std::vector<Output> after;
    drain(rx, after);
    REQUIRE_EQ(after.size(), size_t{1});
    CHECK(after[0].kind == gsc::VideoOutput::Kind::kRequestIdr);
    for (; i < stream.size(); i++) {
        rx.receive(stream[i].data(), stream[i].size(), 0);
        drain(rx, after);
    }
    CHECK_EQ(after.size(), size_t{1});  // nothing but the request: no key frame followed
    CHECK_EQ(rx.counters().idr_requests, 1u);
}

TEST(video_receiver_hostile_datagrams_inside_a_real_stream_are_counted_and_change_nothing) {
    const CaptureCase &c = kCaptureCases[0];
    VideoCapture capture;
    if (!load_capture(c, capture)) return;
    Prng rng{test_seed(56)};
    std::vector<Output> clean, noisy;
    uint64_t injected = 0;
    for (int pass = 0; pass < 2; pass++) {
        gsc::VideoReceiverConfig config;
        config.codec = c.codec;
        gsc::VideoReceiver rx;
        REQUIRE(rx.init(config) == gsc::VideoConfigError::kNone);
        for (const Datagram &d : capture.datagrams) {
            if (pass == 1 && rng.chance_percent(5)) {
                // Random bytes, or a real packet truncated or with its version broken.
                Bytes junk;
                switch (rng.below(3)) {
                    case 0:
                        junk.resize(rng.below(2000));
                        for (auto &b : junk) b = static_cast<uint8_t>(rng.next());
                        junk.resize(std::min<size_t>(junk.size(), 1408));
                        if (junk.size() > 0) junk[0] = 0x10;  // version 0: never valid
                        break;
                    case 1:
                        junk.assign(d.bytes.begin(), d.bytes.begin() + rng.below(32));
                        break;
                    default:
                        junk = d.bytes;
                        junk[0] = 0x50;
                        break;
                }
                rx.receive(junk.data(), junk.size(), 0);
                injected++;
            }
            rx.receive(d.bytes.data(), d.bytes.size(), d.time_us);
            drain(rx, pass == 0 ? clean : noisy);
        }
        if (pass == 1) CHECK_EQ(rx.counters().packets_malformed, injected);
    }
    CHECK(injected > 0);
    CHECK(clean == noisy);
}
