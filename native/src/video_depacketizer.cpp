// Contract in video_depacketizer.hpp.
#include "video_depacketizer.hpp"

#include <cstring>

namespace gsc {

namespace {

// NAL unit types (H.264: ITU-T H.264 table 7-1; HEVC: ITU-T H.265 table 7-1).
constexpr uint8_t kH264NonIdrSlice = 1;
constexpr uint8_t kH264IdrSlice = 5;
constexpr uint8_t kH264Sei = 6;
constexpr uint8_t kH264Sps = 7;
constexpr uint8_t kH264Aud = 9;
constexpr uint8_t kHevcFirstRapSlice = 16;
constexpr uint8_t kHevcLastRapSlice = 21;
constexpr uint8_t kHevcLastVcl = 31;
constexpr uint8_t kHevcVps = 32;
constexpr uint8_t kHevcAud = 35;
constexpr uint8_t kHevcPrefixSei = 39;
constexpr uint8_t kHevcSuffixSei = 40;

uint16_t le16(const uint8_t *p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

// Index just past the next 00 00 01 start code at or after `from`, or `size` when none.
size_t next_nal(const uint8_t *data, size_t size, size_t from) {
    for (size_t i = from; i + 2 < size; i++) {
        if (data[i + 2] > 1) {
            i += 2;
        } else if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
            return i + 3;
        }
    }
    return size;
}

enum class NalRole : uint8_t { kSkippable, kParameterSet, kRandomAccessSlice, kOtherSlice, kOther };

NalRole classify_nal(VideoCodec codec, uint8_t header) {
    if (codec == VideoCodec::kH264) {
        const uint8_t type = header & 0x1F;
        if (type == kH264Aud || type == kH264Sei) return NalRole::kSkippable;
        if (type == kH264Sps) return NalRole::kParameterSet;
        if (type == kH264IdrSlice) return NalRole::kRandomAccessSlice;
        if (type >= kH264NonIdrSlice && type < kH264IdrSlice) return NalRole::kOtherSlice;
        return NalRole::kOther;
    }
    const uint8_t type = (header >> 1) & 0x3F;
    if (type == kHevcAud || type == kHevcPrefixSei || type == kHevcSuffixSei) return NalRole::kSkippable;
    if (type == kHevcVps) return NalRole::kParameterSet;
    if (type >= kHevcFirstRapSlice && type <= kHevcLastRapSlice) return NalRole::kRandomAccessSlice;
    if (type <= kHevcLastVcl) return NalRole::kOtherSlice;
    return NalRole::kOther;
}

}  // namespace

AssembleError assemble_access_unit(const VideoFecQueue &queue, const FecFrameInfo &frame,
                                   const DepacketizerConfig &config, uint8_t *out, AccessUnitInfo &info) {
    const uint32_t payload_bytes = frame.payload_bytes;
    const uint8_t *first = frame.first_payload;
    uint32_t header_bytes = 0;
    if (first[0] == kFrameHeaderShortType) {
        header_bytes = kFrameHeaderShortBytes;
    } else if (first[0] == kFrameHeaderLongType) {
        header_bytes = config.long_frame_header_bytes;
    } else {
        return AssembleError::kBadFrameHeader;
    }
    // The fields read below lie in the first kFrameHeaderShortBytes bytes.
    if (header_bytes > payload_bytes) return AssembleError::kBadFrameHeader;

    const uint64_t padded_bytes = uint64_t{frame.data_shards} * payload_bytes;
    uint64_t total = padded_bytes;
    if (first[0] == kFrameHeaderShortType && config.trim_to_last_payload_length) {
        const uint32_t last_payload = short_header_last_payload_bytes(first, payload_bytes);
        if (last_payload == 0) return AssembleError::kBadLastPayloadLength;
        total = padded_bytes - payload_bytes + last_payload;
    }
    if (total <= header_bytes) return AssembleError::kBadLastPayloadLength;
    const uint64_t size = total - header_bytes;
    if (size > config.max_frame_bytes) return AssembleError::kTooLarge;
    if (frame.data_shards == 1) {
        info.data = first + header_bytes;
    } else {
        queue.copy_head_payload(out, header_bytes, static_cast<size_t>(size));
        info.data = out;
    }

    info.size_bytes = static_cast<uint32_t>(size);
    info.host_latency_100us = first[0] == kFrameHeaderShortType ? le16(first + kFrameHeaderLatencyOffset) : 0;
    info.frame_type = first[kFrameHeaderFrameTypeOffset];
    info.key_frame = is_key_frame(config.codec, info.data, info.size_bytes, info.frame_type);
    return AssembleError::kNone;
}

bool is_key_frame(VideoCodec codec, const uint8_t *access_unit, size_t size_bytes, uint8_t frame_type) {
    if (codec == VideoCodec::kAv1) return frame_type == kFrameTypeIdr;
    bool parameter_sets = false;
    for (size_t at = next_nal(access_unit, size_bytes, 0); at < size_bytes; at = next_nal(access_unit, size_bytes, at)) {
        const NalRole role = classify_nal(codec, access_unit[at]);
        if (role == NalRole::kSkippable) continue;
        if (role == NalRole::kParameterSet) {
            parameter_sets = true;
            continue;
        }
        if (role == NalRole::kRandomAccessSlice) return parameter_sets;
        if (role == NalRole::kOtherSlice) return false;
        // Any other unit (e.g. a PPS) is fine after the leading parameter set, not before it.
        if (!parameter_sets) return false;
    }
    return false;
}

}  // namespace gsc
