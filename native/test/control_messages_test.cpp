// The control message catalogue (data-plane.md §4.4): client payloads byte for byte, and a
// table of host messages with the event or verdict each must give.
#include "control_messages.hpp"
#include "test_harness.hpp"

namespace {

using gsc::ControlDecodeResult;
using gsc::ControlEvent;

TEST(control_messages_client_payloads_are_the_catalogues) {
    uint8_t out[gsc::kControlRfiBytes];
    CHECK_BYTES(out, gsc::control_encode_idr_request(out), "0000");
    CHECK_BYTES(out, gsc::control_encode_start_b(out), "00");
    CHECK_BYTES(out, gsc::control_encode_periodic_ping(out), "0400000000000000");
    CHECK_BYTES(out, gsc::control_encode_rfi(100, 0xfffffffe, out),
                "64000000 00000000 feffffff 00000000 0000000000000000");
    gsc::ControlFecStatus s{0xa1b2c3d4, 1, 2, 3, 4, 5, 6, 7, 20, 1, 2};
    uint8_t fec[gsc::kControlFecStatusBytes];
    CHECK_BYTES(fec, gsc::control_encode_fec_status(s, fec), "a1b2c3d4 0001 0002 0003 0004 0005 0006 0007 14 01 02");
}

struct HostCase {
    const char *name;
    uint16_t type;
    const char *payload;
    ControlDecodeResult expected;
};

const HostCase kHostCases[] = {
    {"termination, Sunshine's only code", 0x0109, "80030023", ControlDecodeResult::kEvent},
    {"termination, longer payload still read as BE32", 0x0109, "800e940300", ControlDecodeResult::kEvent},
    {"termination, 3 bytes", 0x0109, "800300", ControlDecodeResult::kMalformed},
    {"short termination", 0x0100, "0001", ControlDecodeResult::kEvent},
    {"short termination, 1 byte", 0x0100, "00", ControlDecodeResult::kMalformed},
    {"rumble", 0x010b, "eeffc000 0000 ff00 00ff", ControlDecodeResult::kEvent},
    {"rumble, 9 bytes", 0x010b, "eeffc000 0000 ff00 00", ControlDecodeResult::kMalformed},
    {"rumble triggers", 0x5500, "0300 0100 0200", ControlDecodeResult::kEvent},
    {"rumble triggers, 5 bytes", 0x5500, "0300 0100 02", ControlDecodeResult::kMalformed},
    {"HDR, GFE's flag only", 0x010e, "01", ControlDecodeResult::kEvent},
    {"HDR, Sunshine's 27 bytes", 0x010e, "00 000000000000000000000000 00000000 0000 0000 0000 0000 0000",
     ControlDecodeResult::kEvent},
    {"HDR, empty", 0x010e, "", ControlDecodeResult::kMalformed},
    {"set motion event", 0x5501, "0000 6400 01", ControlDecodeResult::kIgnored},
    {"set RGB LED", 0x5502, "0000 ff0000", ControlDecodeResult::kIgnored},
    {"adaptive triggers", 0x5503, "00", ControlDecodeResult::kIgnored},
    {"periodic ping echoed back", 0x0200, "0400000000000000", ControlDecodeResult::kUnknown},
    {"unknown type", 0xbeef, "", ControlDecodeResult::kUnknown},
};

TEST(control_messages_host_messages_decode_as_the_table_says) {
    for (const auto &c : kHostCases) {
        const gsc_test::Bytes payload = gsc_test::hex(c.payload);
        ControlEvent event{};
        const ControlDecodeResult got = gsc::control_decode_host_message(c.type, payload.data(), payload.size(), event);
        if (got != c.expected) std::fprintf(stderr, "  case \"%s\"\n", c.name);
        CHECK(got == c.expected);
    }
}

TEST(control_messages_host_message_fields_are_read_in_their_byte_order) {
    ControlEvent e{};
    const gsc_test::Bytes termination = gsc_test::hex("800e9403");
    REQUIRE(gsc::control_decode_host_message(0x0109, termination.data(), termination.size(), e) == ControlDecodeResult::kEvent);
    CHECK(e.kind == ControlEvent::Kind::kTerminated);
    CHECK_EQ(e.termination.host_code, gsc::kControlTerminationFrameConversion);
    CHECK(e.termination.extended_code);
    const gsc_test::Bytes rumble = gsc_test::hex("eeffc000 0300 3412 7856");
    REQUIRE(gsc::control_decode_host_message(0x010b, rumble.data(), rumble.size(), e) == ControlDecodeResult::kEvent);
    CHECK_EQ(e.rumble.controller, 3);
    CHECK_EQ(e.rumble.low_frequency, 0x1234);
    CHECK_EQ(e.rumble.high_frequency, 0x5678);
    const gsc_test::Bytes hdr = gsc_test::hex("01 0100 0200 0300 0400 0500 0600 0700 0800 0900 0a00 0b00 0c00 0d00");
    REQUIRE(gsc::control_decode_host_message(0x010e, hdr.data(), hdr.size(), e) == ControlDecodeResult::kEvent);
    CHECK(e.hdr.enabled && e.hdr.has_metadata);
    CHECK_EQ(e.hdr.metadata.primaries_x[0], 1);
    CHECK_EQ(e.hdr.metadata.primaries_y[0], 2);
    CHECK_EQ(e.hdr.metadata.primaries_x[2], 5);
    CHECK_EQ(e.hdr.metadata.primaries_y[2], 6);
    CHECK_EQ(e.hdr.metadata.white_point_x, 7);
    CHECK_EQ(e.hdr.metadata.white_point_y, 8);
    CHECK_EQ(e.hdr.metadata.max_display_luminance_nits, 9);
    CHECK_EQ(e.hdr.metadata.min_display_luminance_10000ths_nit, 10);
    CHECK_EQ(e.hdr.metadata.max_content_light_level_nits, 11);
    CHECK_EQ(e.hdr.metadata.max_frame_average_light_level_nits, 12);
    CHECK_EQ(e.hdr.metadata.max_full_frame_luminance_nits, 13);
}

}  // namespace
