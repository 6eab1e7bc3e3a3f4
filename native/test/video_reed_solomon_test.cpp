// Reed-Solomon over GF(2^8)/0x11D (reed_solomon.hpp, data-plane.md §2.5, §3.3): the field, the
// Cauchy rows of the protocol notes, and erasure recovery of every pattern the code allows.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <vector>

#include "reed_solomon.hpp"
#include "test_harness.hpp"
#include "video_test_support.hpp"

using gsc_test::Bytes;
using video_test::Prng;

namespace {

std::unique_ptr<gsc::ReedSolomon> make_rs() {
    std::unique_ptr<gsc::ReedSolomon> rs(new gsc::ReedSolomon);
    rs->init();
    return rs;
}

struct Block {
    std::vector<Bytes> shards;  // k data then m parity
};

Block encoded_block(gsc::ReedSolomon &rs, uint32_t k, uint32_t m, size_t size, Prng &rng) {
    Block b;
    b.shards.assign(k + m, Bytes(size));
    for (uint32_t i = 0; i < k; i++) {
        for (auto &byte : b.shards[i]) byte = static_cast<uint8_t>(rng.next());
    }
    std::vector<const uint8_t *> data;
    std::vector<uint8_t *> parity;
    for (uint32_t i = 0; i < k; i++) data.push_back(b.shards[i].data());
    for (uint32_t j = 0; j < m; j++) parity.push_back(b.shards[k + j].data());
    rs.encode_cauchy(k, m, data.data(), parity.data(), size);
    return b;
}

// Erases the shards in `erased` (a bitmask over k + m), reconstructs, and compares.
bool recovers(gsc::ReedSolomon &rs, const Block &original, uint32_t k, uint32_t m, uint64_t erased) {
    Block b = original;
    std::vector<uint8_t *> ptrs;
    bool present[gsc::ReedSolomon::kMaxShards];
    for (uint32_t i = 0; i < k + m; i++) {
        present[i] = ((erased >> i) & 1) == 0;
        if (!present[i]) std::fill(b.shards[i].begin(), b.shards[i].end(), 0xEE);
        ptrs.push_back(b.shards[i].data());
    }
    if (!rs.reconstruct_cauchy(k, m, ptrs.data(), present, 0, b.shards[0].size())) return false;
    for (uint32_t i = 0; i < k; i++) {
        if (b.shards[i] != original.shards[i]) return false;
    }
    return true;
}

}  // namespace

TEST(video_reed_solomon_field_has_inverses_and_the_0x11d_reduction) {
    auto rs = make_rs();
    for (uint32_t a = 1; a < 256; a++) CHECK_EQ(rs->mul(static_cast<uint8_t>(a), rs->inverse(static_cast<uint8_t>(a))), 1);
    CHECK_EQ(rs->mul(0x80, 2), 0x1D);
    CHECK_EQ(rs->mul(0, 0x53), 0);
    CHECK_EQ(rs->inverse(2), 0x8E);
}

TEST(video_reed_solomon_cauchy_rows_for_k4_m2_match_the_protocol_notes) {
    auto rs = make_rs();
    // Encoding the unit vectors gives the matrix columns.
    const uint8_t expected[2][4] = {{0x8E, 0xF4, 0x47, 0xA7}, {0xF4, 0x8E, 0xA7, 0x47}};
    for (uint32_t i = 0; i < 4; i++) {
        uint8_t data[4][1] = {{0}, {0}, {0}, {0}};
        data[i][0] = 1;
        uint8_t parity[2][1];
        const uint8_t *d[4] = {data[0], data[1], data[2], data[3]};
        uint8_t *p[2] = {parity[0], parity[1]};
        rs->encode_cauchy(4, 2, d, p, 1);
        CHECK_EQ(parity[0][0], expected[0][i]);
        CHECK_EQ(parity[1][0], expected[1][i]);
    }
}

TEST(video_reed_solomon_every_erasure_pattern_up_to_m_is_recovered_for_small_blocks) {
    auto rs = make_rs();
    Prng rng{video_test::test_seed(11)};
    for (uint32_t k = 1; k <= 8; k++) {
        for (uint32_t m = 1; m <= 4; m++) {
            const Block b = encoded_block(*rs, k, m, 37, rng);
            for (uint64_t erased = 0; erased < (uint64_t{1} << (k + m)); erased++) {
                const int count = __builtin_popcountll(erased);
                if (count > static_cast<int>(m)) continue;
                if (!recovers(*rs, b, k, m, erased)) {
                    std::fprintf(stderr, "  k %u m %u erased %llx\n", k, m, static_cast<unsigned long long>(erased));
                    CHECK(false);
                }
            }
        }
    }
}

TEST(video_reed_solomon_large_blocks_recover_random_erasures) {
    auto rs = make_rs();
    Prng rng{video_test::test_seed(12)};
    const uint32_t shapes[][2] = {{24, 5}, {100, 20}, {212, 43}, {128, 127}};
    for (const auto &shape : shapes) {
        const uint32_t k = shape[0], m = shape[1];
        const Block b = encoded_block(*rs, k, m, 64, rng);
        for (int round = 0; round < 5; round++) {
            Block damaged = b;
            std::vector<uint8_t *> ptrs;
            bool present[gsc::ReedSolomon::kMaxShards];
            for (uint32_t i = 0; i < k + m; i++) present[i] = true;
            for (uint32_t e = 0; e < m;) {
                const uint32_t i = rng.below(k + m);
                if (!present[i]) continue;
                present[i] = false;
                std::fill(damaged.shards[i].begin(), damaged.shards[i].end(), 0);
                e++;
            }
            for (auto &s : damaged.shards) ptrs.push_back(s.data());
            REQUIRE(rs->reconstruct_cauchy(k, m, ptrs.data(), present, 0, 64));
            for (uint32_t i = 0; i < k; i++) CHECK(damaged.shards[i] == b.shards[i]);
        }
    }
}

// The 16-bytes-at-a-time kernels against the byte-at-a-time ones: the same parity and the
// same rebuilt shards for every length around the vector width, from unaligned offsets.
TEST(video_reed_solomon_shuffle_kernels_agree_with_the_table_kernels) {
    auto scalar = std::unique_ptr<gsc::ReedSolomon>(new gsc::ReedSolomon);
    scalar->init(false);
    auto vector = make_rs();
    CHECK(!scalar->uses_simd());
#if defined(__x86_64__) || defined(__wasm_simd128__)
    CHECK(vector->uses_simd());
#endif
    Prng rng{video_test::test_seed(15)};
    const size_t lengths[] = {1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 100, 1392, 1400};
    const uint32_t k = 20, m = 6;
    for (size_t length : lengths) {
        for (size_t offset : {size_t{0}, size_t{3}}) {
            const size_t size = offset + length;
            Block a = encoded_block(*scalar, k, m, size, rng);
            // Every byte value passes through the kernels.
            for (size_t x = 0; x < size; x++) a.shards[0][x] = static_cast<uint8_t>(x * 7);
            std::vector<const uint8_t *> data;
            std::vector<uint8_t *> parity_scalar, parity_vector;
            std::vector<Bytes> ps(m, Bytes(size)), pv(m, Bytes(size));
            for (uint32_t i = 0; i < k; i++) data.push_back(a.shards[i].data());
            for (uint32_t j = 0; j < m; j++) {
                parity_scalar.push_back(ps[j].data());
                parity_vector.push_back(pv[j].data());
            }
            scalar->encode_cauchy(k, m, data.data(), parity_scalar.data(), size);
            vector->encode_cauchy(k, m, data.data(), parity_vector.data(), size);
            for (uint32_t j = 0; j < m; j++) CHECK(ps[j] == pv[j]);
            for (uint32_t j = 0; j < m; j++) a.shards[k + j] = ps[j];

            Block damaged = a;
            bool present[gsc::ReedSolomon::kMaxShards];
            for (uint32_t i = 0; i < k + m; i++) present[i] = true;
            for (uint32_t i : {0u, 5u, 6u, 19u, 21u}) {
                present[i] = false;
                std::fill(damaged.shards[i].begin(), damaged.shards[i].end(), 0x5A);
            }
            std::vector<uint8_t *> ptrs;
            for (auto &shard : damaged.shards) ptrs.push_back(shard.data());
            REQUIRE(vector->reconstruct_cauchy(k, m, ptrs.data(), present, offset, length));
            for (uint32_t i = 0; i < k; i++) {
                CHECK(std::equal(damaged.shards[i].begin() + static_cast<std::ptrdiff_t>(offset), damaged.shards[i].end(),
                                 a.shards[i].begin() + static_cast<std::ptrdiff_t>(offset)));
            }
        }
    }
}

// Incremental decoding: parity rows with the received data XORed out, then the square solve,
// give back the missing data; columns outside the region and past a prefix stay untouched.
TEST(video_reed_solomon_reduced_parity_solve_rebuilds_the_missing_data) {
    auto rs = make_rs();
    Prng rng{video_test::test_seed(16)};
    const uint32_t k = 40, m = 9;
    const size_t size = 100;
    const Block b = encoded_block(*rs, k, m, size, rng);
    const uint8_t lost[] = {0, 7, 8, 20, 39};
    const uint8_t rows[] = {1, 2, 4, 5, 8};
    const uint32_t count = 5;
    std::vector<Bytes> reduced;
    for (uint8_t row : rows) {
        Bytes parity = b.shards[k + row];
        for (uint32_t i = 0; i < k; i++) {
            if (std::find(std::begin(lost), std::end(lost), i) != std::end(lost)) continue;
            rs->multiply_add(parity.data(), b.shards[i].data(), size, rs->cauchy(m, row, i));
        }
        reduced.push_back(parity);
    }
    std::vector<Bytes> out(count, Bytes(size, 0xEE));
    std::vector<const uint8_t *> reduced_ptrs;
    std::vector<uint8_t *> out_ptrs;
    for (auto &r : reduced) reduced_ptrs.push_back(r.data());
    for (auto &o : out) out_ptrs.push_back(o.data());
    // Bytes [4, 100); the last lost shard only its first 30 bytes of that.
    const size_t prefix[count] = {96, 96, 96, 96, 30};
    REQUIRE(rs->solve_reduced_cauchy(m, count, lost, rows, reduced_ptrs.data(), out_ptrs.data(), 4, 96, prefix));
    for (uint32_t c = 0; c < count; c++) {
        for (size_t x = 0; x < size; x++) {
            const bool written = x >= 4 && x < 4 + prefix[c];
            CHECK_EQ(out[c][x], written ? b.shards[lost[c]][x] : 0xEE);
        }
    }
    // Rows or shards outside the block's shape are refused.
    const uint8_t bad_rows[] = {1, 2, 4, 5, 9};
    CHECK(!rs->solve_reduced_cauchy(m, count, lost, bad_rows, reduced_ptrs.data(), out_ptrs.data(), 0, size, nullptr));
}

TEST(video_reed_solomon_more_erasures_than_parity_fail_and_write_nothing) {
    auto rs = make_rs();
    Prng rng{13};
    const Block b = encoded_block(*rs, 4, 2, 16, rng);
    Block damaged = b;
    bool present[6] = {false, false, false, true, true, true};
    for (int i = 0; i < 3; i++) std::fill(damaged.shards[i].begin(), damaged.shards[i].end(), 0xAB);
    std::vector<uint8_t *> ptrs;
    for (auto &s : damaged.shards) ptrs.push_back(s.data());
    CHECK(!rs->reconstruct_cauchy(4, 2, ptrs.data(), present, 0, 16));
    for (int i = 0; i < 3; i++) CHECK(damaged.shards[i] == Bytes(16, 0xAB));
    CHECK(!rs->reconstruct_cauchy(0, 2, ptrs.data(), present, 0, 16));
    CHECK(!rs->reconstruct_cauchy(200, 56, ptrs.data(), present, 0, 16));
}

TEST(video_reed_solomon_only_the_requested_region_and_prefix_are_rebuilt) {
    auto rs = make_rs();
    Prng rng{14};
    const Block b = encoded_block(*rs, 3, 2, 40, rng);
    Block damaged = b;
    bool present[5] = {true, false, false, true, true};
    for (int i = 1; i <= 2; i++) std::fill(damaged.shards[i].begin(), damaged.shards[i].end(), 0xCC);
    std::vector<uint8_t *> ptrs;
    for (auto &s : damaged.shards) ptrs.push_back(s.data());
    // Region [8, 40); shard 2 only its first 10 bytes of it.
    const size_t rebuild[5] = {32, 32, 10, 0, 0};
    REQUIRE(rs->reconstruct_cauchy(3, 2, ptrs.data(), present, 8, 32, rebuild));
    for (size_t x = 0; x < 40; x++) {
        CHECK_EQ(damaged.shards[1][x], x < 8 ? 0xCC : b.shards[1][x]);
        CHECK_EQ(damaged.shards[2][x], x < 8 || x >= 18 ? 0xCC : b.shards[2][x]);
    }
}

TEST(video_reed_solomon_explicit_matrix_recovers_audio_blocks) {
    auto rs = make_rs();
    // Audio's fixed rows (data-plane.md §3.3).
    const uint8_t matrix[2 * 4] = {0x77, 0x40, 0x38, 0x0E, 0xC7, 0xA7, 0x0D, 0x6C};
    Prng rng{15};
    std::vector<Bytes> shards(6, Bytes(20));
    for (int i = 0; i < 4; i++) {
        for (auto &byte : shards[i]) byte = static_cast<uint8_t>(rng.next());
    }
    for (int j = 0; j < 2; j++) {
        for (size_t x = 0; x < 20; x++) {
            uint8_t sum = 0;
            for (int i = 0; i < 4; i++) sum ^= rs->mul(matrix[j * 4 + i], shards[i][x]);
            shards[4 + j][x] = sum;
        }
    }
    for (uint32_t erased = 0; erased < 64; erased++) {
        if (__builtin_popcount(erased) > 2) continue;
        std::vector<Bytes> damaged = shards;
        bool present[6];
        std::vector<uint8_t *> ptrs;
        for (int i = 0; i < 6; i++) {
            present[i] = ((erased >> i) & 1) == 0;
            if (!present[i]) std::fill(damaged[i].begin(), damaged[i].end(), 0);
            ptrs.push_back(damaged[i].data());
        }
        REQUIRE(rs->reconstruct(4, 2, matrix, ptrs.data(), present, 0, 20));
        for (int i = 0; i < 4; i++) CHECK(damaged[i] == shards[i]);
    }
}
