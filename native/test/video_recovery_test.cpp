// The loss-recovery machine (data-plane.md §2.8), as scripts of frames in and decisions out.
#include "test_harness.hpp"
#include "video_recovery.hpp"

namespace {

using Kind = gsc::RecoveryRequest::Kind;

// One step: a complete frame (frame, key, type) or a lost range (lost = true, frame..last).
struct Step {
    bool lost;
    uint32_t frame;
    uint32_t last;
    bool key;
    uint8_t type;
    // Expected: delivered (complete frames only) and the request.
    bool delivered;
    Kind request;
    uint32_t rfi_first;
    uint32_t rfi_last;
};

Step complete(uint32_t f, bool key, uint8_t type, bool delivered, Kind request = Kind::kNone, uint32_t a = 0, uint32_t b = 0) {
    return {false, f, f, key, type, delivered, request, a, b};
}
Step lost(uint32_t first, uint32_t last, Kind request = Kind::kNone, uint32_t a = 0, uint32_t b = 0) {
    return {true, first, last, false, 0, false, request, a, b};
}

void run(const char *name, bool rfi, const std::vector<Step> &steps) {
    gsc::VideoRecovery r;
    r.init(rfi, 1);
    for (size_t i = 0; i < steps.size(); i++) {
        const Step &s = steps[i];
        gsc::RecoveryRequest req{};
        bool delivered = false;
        if (s.lost) {
            req = r.on_frames_lost(s.frame, s.last);
        } else {
            delivered = r.on_frame_complete(s.frame, s.key, s.type, req);
        }
        const bool ok = delivered == s.delivered && req.kind == s.request &&
                        (req.kind != Kind::kRfi || (req.first_frame == s.rfi_first && req.last_frame == s.rfi_last));
        if (!ok) std::fprintf(stderr, "  %s: step %zu\n", name, i);
        CHECK(ok);
    }
}

}  // namespace

TEST(video_recovery_frames_before_the_first_key_frame_are_dropped_without_requests) {
    run("start", false, {complete(1, false, 1, false), complete(2, true, 2, true), complete(3, false, 1, true)});
}

TEST(video_recovery_without_rfi_a_loss_asks_for_an_idr_at_the_next_complete_frame_only) {
    run("idr", false,
        {complete(1, true, 2, true), complete(2, false, 1, true), lost(3, 3), complete(4, false, 1, false, Kind::kIdr),
         complete(5, false, 1, false), lost(6, 7), complete(8, false, 1, false, Kind::kIdr), complete(9, true, 2, true),
         complete(10, false, 1, true)});
}

TEST(video_recovery_with_rfi_a_loss_invalidates_from_the_first_undelivered_frame) {
    run("rfi", true,
        {complete(1, true, 2, true), complete(2, false, 1, true), lost(3, 4, Kind::kRfi, 3, 4),
         complete(5, false, 1, false, Kind::kRfi, 3, 5), complete(6, false, 5, true), complete(7, false, 1, true),
         lost(8, 8, Kind::kRfi, 8, 8), complete(9, false, 4, true)});
}

TEST(video_recovery_rfi_is_not_used_before_a_key_frame_was_delivered) {
    run("rfi before idr", true, {lost(1, 1), complete(2, false, 1, false, Kind::kIdr), complete(3, true, 2, true)});
}

TEST(video_recovery_a_key_frame_ends_an_rfi_wait_too) {
    run("key ends rfi", true, {complete(1, true, 2, true), lost(2, 2, Kind::kRfi, 2, 2), complete(3, true, 2, true)});
}

TEST(video_recovery_120_consecutive_drops_ask_for_an_idr_again) {
    std::vector<Step> steps = {complete(1, true, 2, true), lost(2, 2), complete(3, false, 1, false, Kind::kIdr)};
    // Drops so far: frame 2 (lost) and 3. Frames 4.. are dropped silently until the 120th drop.
    for (uint32_t f = 4; f < 121; f++) steps.push_back(complete(f, false, 1, false));
    steps.push_back(complete(121, false, 1, false, Kind::kIdr));
    steps.push_back(complete(122, false, 1, false));
    run("120 drops", false, steps);
}

TEST(video_recovery_a_large_lost_range_counts_toward_the_consecutive_drop_limit) {
    run("big range", false, {complete(1, true, 2, true), lost(2, 5000, Kind::kIdr)});
}

TEST(video_recovery_a_decoder_error_asks_for_an_idr_and_drops_until_one_comes) {
    gsc::VideoRecovery r;
    r.init(true, 1);
    gsc::RecoveryRequest req{};
    CHECK(r.on_frame_complete(1, true, 2, req));
    CHECK(r.on_decoder_error().kind == Kind::kIdr);
    CHECK(!r.on_frame_complete(2, false, 5, req));
    CHECK(req.kind == Kind::kNone);
    CHECK(r.on_frame_complete(3, true, 2, req));
}
