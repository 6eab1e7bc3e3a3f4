// Reads the UDP datagrams of a recorded session (shared/captures/*/capture.pcap: classic
// libpcap, microsecond timestamps, Ethernet, IPv4) for tests that replay real traffic.
// Test code only: it allocates freely and trusts nothing in the file.
#ifndef GSC_TEST_CAPTURE_READER_HPP
#define GSC_TEST_CAPTURE_READER_HPP

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace gsc_test {

struct UdpDatagram {
    uint64_t time_us;
    uint16_t src_port;
    uint16_t dst_port;
    std::vector<uint8_t> payload;
};

// Where the captures are: $GSC_CAPTURES_DIR (set by native/test.sh), "" when unknown.
inline std::string captures_dir() {
    const char *dir = std::getenv("GSC_CAPTURES_DIR");
    return dir == nullptr ? std::string() : std::string(dir);
}

inline bool read_file(const std::string &path, std::vector<uint8_t> &out) {
    FILE *f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return false;
    uint8_t chunk[65536];
    size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) out.insert(out.end(), chunk, chunk + n);
    std::fclose(f);
    return true;
}

// Every UDP datagram in the file, in capture order; false when the file is missing or not
// a classic little-endian Ethernet pcap.
inline bool read_udp_datagrams(const std::string &path, std::vector<UdpDatagram> &out) {
    std::vector<uint8_t> file;
    if (!read_file(path, file) || file.size() < 24) return false;
    auto u16be = [&](size_t at) { return static_cast<uint16_t>((file[at] << 8) | file[at + 1]); };
    auto u32le = [&](size_t at) {
        return static_cast<uint32_t>(file[at]) | (static_cast<uint32_t>(file[at + 1]) << 8) |
               (static_cast<uint32_t>(file[at + 2]) << 16) | (static_cast<uint32_t>(file[at + 3]) << 24);
    };
    const uint32_t kPcapMagicMicros = 0xa1b2c3d4;
    const uint32_t kLinkTypeEthernet = 1;
    if (u32le(0) != kPcapMagicMicros || u32le(20) != kLinkTypeEthernet) return false;
    const size_t kEthernetHeader = 14, kUdpHeader = 8, kIpProtoUdp = 17;
    size_t at = 24;
    while (at + 16 <= file.size()) {
        const uint64_t time_us = static_cast<uint64_t>(u32le(at)) * 1000000u + u32le(at + 4);
        const size_t captured = u32le(at + 8);
        const size_t frame = at + 16;
        at = frame + captured;
        if (at > file.size()) return false;
        if (captured < kEthernetHeader + 20 || u16be(frame + 12) != 0x0800) continue;
        const size_t ip = frame + kEthernetHeader;
        const size_t ip_header = static_cast<size_t>(file[ip] & 0x0f) * 4;
        const size_t ip_total = u16be(ip + 2);
        if (file[ip + 9] != kIpProtoUdp || ip_header < 20 || ip_total < ip_header + kUdpHeader) continue;
        if (ip + ip_total > at) continue;
        const size_t udp = ip + ip_header;
        const size_t udp_length = u16be(udp + 4);
        if (udp_length < kUdpHeader || udp + udp_length > ip + ip_total) continue;
        UdpDatagram d{time_us, u16be(udp), u16be(udp + 2), {}};
        d.payload.assign(file.begin() + static_cast<long>(udp + kUdpHeader), file.begin() + static_cast<long>(udp + udp_length));
        out.push_back(std::move(d));
    }
    return true;
}

// The value after `"name":` in the JSON files beside a capture (keys.json, session.json,
// control-messages.jsonl lines): a string's contents, or the text of a number up to the next
// , } or line end. The first occurrence wins; enough for the flat fields tests read.
inline std::string json_field(const std::string &text, const char *name) {
    const std::string needle = std::string("\"") + name + "\":";
    size_t at = text.find(needle);
    if (at == std::string::npos) return std::string();
    at += needle.size();
    while (at < text.size() && text[at] == ' ') ++at;
    size_t end = at;
    if (at < text.size() && text[at] == '"') {
        end = text.find('"', at + 1);
        return end == std::string::npos ? std::string() : text.substr(at + 1, end - at - 1);
    }
    while (end < text.size() && text[end] != ',' && text[end] != '}' && text[end] != '\n') ++end;
    return text.substr(at, end - at);
}

}  // namespace gsc_test

#endif
