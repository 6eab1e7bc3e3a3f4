// The whole session on real Sunshine traffic (shared/captures): the video and audio datagrams
// of each recorded session, fed through the C ABI at their capture times, give the reference
// client's decoder input: every access unit by the README's comparison rule, every Opus packet
// byte for byte, including the session with encrypted video (data-plane.md §2.9).
#include <cstdio>

#include "session_test_support.hpp"
#include "test_harness.hpp"
#include "video_test_support.hpp"

using session_test::Capture;
using session_test::Output;
using session_test::SessionCase;

namespace {

constexpr uint32_t kVideoHeaderBytes = 16;
constexpr uint32_t kVideoPacketHeaderBytes = 32;
// 2 channels x 240 samples x 2 bytes: one 5 ms stereo packet of PCM.
constexpr uint32_t kStereo5MsPcmBytes = 960;

gsc::VideoCodec codec_of(const SessionCase &c) {
    return c.codec == GSC_VIDEO_CODEC_H264 ? gsc::VideoCodec::kH264 : gsc::VideoCodec::kH265;
}

size_t count_channel(const Capture &capture, uint32_t channel) {
    size_t n = 0;
    for (const auto &in : capture.inputs) n += in.channel == channel ? 1 : 0;
    return n;
}

void check_video(const SessionCase &c, const Capture &capture, const Output &out) {
    CHECK_EQ(out.frames.size(), size_t{c.frames_on_wire});
    const uint32_t payload_bytes = c.packet_size_bytes + kVideoHeaderBytes - kVideoPacketHeaderBytes;
    size_t offset = 0;
    uint32_t matched = 0, key_frames = 0;
    for (size_t i = 0; i < out.frames.size(); i++) {
        const auto &f = out.frames[i];
        CHECK_EQ(f.event.u.video.frame_index, static_cast<uint32_t>(i + 1));
        key_frames += f.event.u.video.key_frame;
        if (i >= c.reference_frames) continue;
        const video_test::Bytes expected = video_test::reference_form(codec_of(c), f.data.data(), f.data.size(), payload_bytes);
        if (offset + expected.size() <= capture.annexb.size() &&
            std::memcmp(capture.annexb.data() + offset, expected.data(), expected.size()) == 0) {
            matched++;
        } else {
            std::fprintf(stderr, "  %s: frame %zu differs from video.annexb at offset %zu\n", c.folder, i + 1, offset);
        }
        offset += expected.size();
    }
    CHECK_EQ(matched, c.reference_frames);
    CHECK_EQ(offset, capture.annexb.size());
    CHECK_EQ(key_frames, 1u);
}

void check_audio(const SessionCase &c, const Capture &capture, const Output &out, bool decoded) {
    const std::vector<session_test::Bytes> records = session_test::opus_records(capture.opus_records);
    REQUIRE_EQ(records.size(), size_t{c.audio_records});
    CHECK_EQ(out.audio.size(), size_t{c.audio_records + c.audio_records_after});
    uint32_t matched = 0;
    for (size_t i = 0; i < out.audio.size(); i++) {
        const auto &a = out.audio[i];
        CHECK_EQ(a.event.u.audio.concealed, 0u);
        CHECK_EQ(a.event.u.audio.channels, 2u);
        CHECK_EQ(a.event.u.audio.samples_per_channel, 240u);
        CHECK_EQ(a.pcm.size(), decoded ? size_t{kStereo5MsPcmBytes} : size_t{0});
        if (i < records.size() && a.opus == records[i]) matched++;
    }
    CHECK_EQ(matched, c.audio_records);
    if (!out.audio.empty()) CHECK_EQ(out.audio.front().event.u.audio.sequence, 100u);
}

void check_session(const SessionCase &c, uint32_t extra_flags) {
    Capture capture;
    if (!session_test::load_capture(c, capture)) {
        std::fprintf(stderr, "  (skipped: %s not found; set GSC_CAPTURES_DIR)\n", c.folder);
        return;
    }
    const gsc_session_config config = session_test::config_for(c, capture, extra_flags);
    gsc_session *s = nullptr;
    REQUIRE_EQ(gsc_session_create(&config, sizeof config, &s), GSC_OK);
    Output out;
    session_test::replay(s, capture.inputs, out);
    check_video(c, capture, out);
    check_audio(c, capture, out, (extra_flags & GSC_SESSION_FLAG_AUDIO_NO_DECODE) == 0);
    CHECK(out.other.empty());
    CHECK_EQ(gsc_session_last_error(s), GSC_OK);

    gsc_session_counters n{};
    REQUIRE_EQ(gsc_session_stats(s, &n, sizeof n), GSC_OK);
    CHECK_EQ(size_t{n.video_packets}, count_channel(capture, GSC_SESSION_CHANNEL_VIDEO));
    CHECK_EQ(size_t{n.audio_packets}, count_channel(capture, GSC_SESSION_CHANNEL_AUDIO));
    CHECK_EQ(n.control_packets, 0u);
    CHECK_EQ(n.malformed, 0u);
    CHECK_EQ(n.video_decrypt_failures, 0u);
    CHECK_EQ(n.frames_complete, c.frames_on_wire);
    CHECK_EQ(n.key_frames, 1u);
    CHECK_EQ(n.frames_dropped, 0u);
    CHECK_EQ(n.idr_requests, 0u);
    CHECK_EQ(n.audio_frames, c.audio_records + c.audio_records_after);
    CHECK_EQ(n.audio_discarded, 100u);
    CHECK_EQ(n.audio_concealed, 0u);
    CHECK_EQ(n.events_dropped, 0u);
    // Encrypted parity that arrives after its frame was handed out is skipped undecrypted.
    if ((c.encryption_flags & GSC_SESSION_ENCRYPT_VIDEO) != 0) CHECK(n.video_stale > 0);
    // Audio and video pings every 500 ms over the ~7 s of the recording, from the first input.
    const uint64_t span_us = capture.inputs.back().time_us - capture.inputs.front().time_us;
    CHECK_EQ(uint64_t{n.pings_sent}, 2 * (span_us / 500000 + 1));
    CHECK_EQ(n.pings_sent, n.transmits);
    gsc_session_destroy(s);
}

}  // namespace

TEST(session_replay_of_each_recorded_sunshine_session_gives_the_reference_video_and_opus) {
    for (const SessionCase &c : session_test::kSessionCases) check_session(c, GSC_SESSION_FLAG_AUDIO_NO_DECODE);
}

TEST(session_replay_with_pcm_decoding_gives_one_unconcealed_stereo_packet_of_pcm_per_opus_packet) {
    check_session(session_test::kSessionCases[0], 0);
}
