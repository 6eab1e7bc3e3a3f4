// The ENet datagram parser and writer against real traffic (every datagram on udp/47999 of
// the recorded sessions, both ways) and against tables of hand-made datagrams.
#include <cstring>

#include "enet_test_support.hpp"
#include "enet_wire.hpp"
#include "test_harness.hpp"

namespace {

using enet_test::Bytes;
using gsc::EnetCommand;
using gsc::EnetCommandType;
using gsc::EnetDatagramHeader;
using gsc::EnetDatagramParser;

// Rebuilds a datagram from its parsed header and commands.
Bytes reencode(const EnetDatagramHeader &header, const std::vector<EnetCommand> &commands) {
    Bytes out(gsc::kEnetMaxMtu);
    gsc::EnetDatagramWriter writer(out.data(), out.size());
    if (!writer.header(header.peer_id, header.session_id, header.has_sent_time, header.sent_time)) return {};
    for (const auto &c : commands) {
        uint8_t wire[gsc::kEnetMaxMtu];
        const size_t size = gsc::enet_encode_command(c, wire, sizeof wire);
        if (size == 0 || !writer.raw(wire, size)) return {};
    }
    out.resize(writer.size());
    return out;
}

TEST(enet_wire_parses_every_recorded_datagram_and_writes_it_back_byte_for_byte) {
    for (const auto &session : enet_test::kSessions) {
        enet_test::RecordedSession recorded;
        if (!enet_test::load_session(session, recorded)) {
            std::fprintf(stderr, "  (skipped: %s not found)\n", session.folder);
            continue;
        }
        uint32_t malformed = 0, commands_total = 0, mismatched = 0;
        for (const auto &d : recorded.datagrams) {
            EnetDatagramHeader header{};
            std::vector<EnetCommand> commands;
            if (!enet_test::parse_all(d.bytes, header, commands) || commands.empty()) {
                ++malformed;
                continue;
            }
            commands_total += static_cast<uint32_t>(commands.size());
            if (reencode(header, commands) != d.bytes) ++mismatched;
        }
        CHECK_EQ(malformed, 0u);
        CHECK_EQ(mismatched, 0u);
        CHECK(commands_total >= recorded.datagrams.size());
    }
}

TEST(enet_wire_reads_the_recorded_connect_handshake_field_by_field) {
    enet_test::RecordedSession recorded;
    if (!enet_test::load_session(enet_test::kSessions[0], recorded)) return;
    REQUIRE(recorded.datagrams.size() >= 2);
    EnetDatagramHeader header{};
    std::vector<EnetCommand> commands;
    REQUIRE(enet_test::parse_all(recorded.datagrams[0].bytes, header, commands));
    REQUIRE_EQ(commands.size(), 1u);
    const EnetCommand &connect = commands[0];
    CHECK(!recorded.datagrams[0].from_host);
    CHECK_EQ(header.peer_id, gsc::kEnetPeerIdNone);
    CHECK(header.has_sent_time);
    CHECK(connect.type == EnetCommandType::kConnect);
    CHECK_EQ(connect.flags, gsc::kEnetFlagAcknowledge);
    CHECK_EQ(connect.channel, 0xff);
    CHECK_EQ(connect.reliable_seq, 1);
    CHECK_EQ(connect.outgoing_peer_id, 0);
    CHECK_EQ(connect.incoming_session_id, 0xff);
    CHECK_EQ(connect.outgoing_session_id, 0xff);
    CHECK_EQ(connect.mtu, 900u);
    CHECK_EQ(connect.window_size, 65536u);
    CHECK_EQ(connect.channel_count, 48u);
    CHECK_EQ(connect.throttle_interval, 5000u);
    CHECK_EQ(connect.throttle_acceleration, 2u);
    CHECK_EQ(connect.throttle_deceleration, 2u);
    CHECK_EQ(connect.user_data, recorded.connect_data);

    commands.clear();
    REQUIRE(enet_test::parse_all(recorded.datagrams[1].bytes, header, commands));
    REQUIRE_EQ(commands.size(), 1u);
    CHECK(recorded.datagrams[1].from_host);
    CHECK(commands[0].type == EnetCommandType::kVerifyConnect);
    CHECK_EQ(commands[0].connect_id, connect.connect_id);
    CHECK_EQ(commands[0].mtu, 900u);
    CHECK_EQ(commands[0].channel_count, 48u);
    CHECK_EQ(header.peer_id, 0);
}

// Every prefix of a real datagram parses without reading past it: either malformed, or a
// shorter list of the same commands.
TEST(enet_wire_truncated_datagrams_are_malformed_or_a_prefix_never_overrun) {
    enet_test::RecordedSession recorded;
    if (!enet_test::load_session(enet_test::kSessions[1], recorded)) return;
    uint32_t checked = 0;
    for (size_t i = 0; i < recorded.datagrams.size() && i < 40; ++i) {
        const Bytes &whole = recorded.datagrams[i].bytes;
        EnetDatagramHeader header{};
        std::vector<EnetCommand> full;
        REQUIRE(enet_test::parse_all(whole, header, full));
        for (size_t cut = 0; cut < whole.size(); ++cut) {
            // A heap copy of exactly `cut` bytes, so ASan sees any read past it.
            Bytes part(whole.begin(), whole.begin() + static_cast<long>(cut));
            EnetDatagramHeader h{};
            std::vector<EnetCommand> commands;
            if (enet_test::parse_all(part, h, commands)) {
                CHECK(commands.size() < full.size() || full.empty());
                for (size_t k = 0; k < commands.size(); ++k) CHECK(commands[k].type == full[k].type);
            }
            ++checked;
        }
    }
    CHECK(checked > 100);
}

struct MalformedCase {
    const char *name;
    const char *hex;
};

const MalformedCase kMalformed[] = {
    {"command number 0", "0000 00000001"},
    {"command number 13", "0000 0d000001"},
    {"command header cut", "8000 1234 86"},
    {"reliable data length past the end", "8000 1234 86000001 0005 aabbcc"},
    {"unreliable body cut", "0000 07000001 00"},
    {"fragment data past the end", "8000 0001 88000001 0001 0004 00000001 00000000 00000004 00000000 aabb"},
    {"verify cut in the connect id", "8000 0001 83ff0001 0000 00 00 00000384 00010000 00000030 00000000 00000000 00001388 00000002 00000002 3c5a93"},
    {"acknowledge body cut", "0000 01000001 0001"},
};

TEST(enet_wire_malformed_datagrams_are_reported_not_read_past) {
    for (const auto &c : kMalformed) {
        const Bytes bytes = gsc_test::hex(c.hex);
        EnetDatagramHeader header{};
        std::vector<EnetCommand> commands;
        if (enet_test::parse_all(bytes, header, commands)) {
            std::fprintf(stderr, "  case \"%s\" parsed\n", c.name);
            CHECK(false);
        }
    }
}

TEST(enet_wire_header_shorter_than_its_flags_say_is_refused) {
    const Bytes one = gsc_test::hex("80");
    const Bytes three = gsc_test::hex("8000 12");
    EnetDatagramHeader header{};
    EnetDatagramParser a(one.data(), one.size());
    CHECK(!a.header(header));
    EnetDatagramParser b(three.data(), three.size());
    CHECK(!b.header(header));
    const Bytes no_time = gsc_test::hex("3005");
    EnetDatagramParser c(no_time.data(), no_time.size());
    REQUIRE(c.header(header));
    CHECK_EQ(header.peer_id, 5);
    CHECK_EQ(header.session_id, 3);
    CHECK(!header.has_sent_time);
    EnetCommand command{};
    CHECK(c.next(command) == EnetDatagramParser::Result::kEnd);
}

TEST(enet_wire_more_than_32_commands_is_malformed_after_the_32nd) {
    Bytes d = gsc_test::hex("8000 0000");
    for (int i = 0; i < 33; ++i) {
        const Bytes ping = gsc_test::hex("85ff0001");
        d.insert(d.end(), ping.begin(), ping.end());
    }
    EnetDatagramParser parser(d.data(), d.size());
    EnetDatagramHeader header{};
    REQUIRE(parser.header(header));
    EnetCommand command{};
    for (int i = 0; i < 32; ++i) CHECK(parser.next(command) == EnetDatagramParser::Result::kCommand);
    CHECK(parser.next(command) == EnetDatagramParser::Result::kMalformed);
}

TEST(enet_wire_writer_never_passes_its_capacity) {
    uint8_t buffer[12];
    gsc::EnetDatagramWriter writer(buffer, sizeof buffer);
    REQUIRE(writer.header(0, 0, true, 0x1234));
    CHECK(writer.acknowledge(0, 7, 0x0102));  // 4 + 8 = 12
    CHECK(!writer.acknowledge(0, 8, 0x0102));
    CHECK_EQ(writer.size(), 12u);
    CHECK_BYTES(buffer, 12, "8000 1234 01000007 0007 0102");
    EnetCommand big{};
    big.type = EnetCommandType::kSendReliable;
    const uint8_t data[8] = {};
    big.data = data;
    big.data_size = 8;
    uint8_t exact[14];
    CHECK_EQ(gsc::enet_encode_command(big, exact, 13), 0u);  // needs 6 + 8 = 14
    CHECK_EQ(gsc::enet_encode_command(big, exact, sizeof exact), 14u);
}

}  // namespace
