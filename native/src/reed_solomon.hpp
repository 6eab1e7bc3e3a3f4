// Reed-Solomon erasure coding over GF(2^8), as GameStream hosts use it for video and audio
// FEC (shared/protocol/data-plane.md §2.5, §3.3).
//
// The code is systematic: k data shards go out unchanged, followed by m parity shards with
// parity[j] = sum over i of P[j][i] * data[i], byte column by byte column. Video uses the
// Cauchy matrix P[j][i] = 1 / ((m + i) XOR j); audio uses fixed rows, which the general
// `reconstruct` takes as an explicit matrix. The field is GF(2^8) with reducing polynomial
// 0x11D and generator 2.
//
// Speed: where the target has byte shuffles (WebAssembly SIMD, x86 SSSE3) a shard is
// multiplied 16 bytes at a time with split-nibble tables (32 bytes per constant). Elsewhere
// (WebAssembly MVP, for TV engines before Chromium 91) every multiplication by a constant goes
// through a precomputed 256-byte row of the multiplication table (64 KiB, filled once by
// init()), so a shard is multiplied and accumulated with one table load and one XOR per byte. Recovery builds, for each missing data
// shard, one combined coefficient per source shard, and then makes a single pass over each
// source: the cost is (missing data shards) x k x shard bytes table look-ups.
//
// The object is large (about 140 KiB of tables and scratch): owners allocate it on the heap
// at create time and call init() once. It does no allocation and keeps no global state.
#ifndef GSC_REED_SOLOMON_HPP
#define GSC_REED_SOLOMON_HPP

#include <cstddef>
#include <cstdint>

namespace gsc {

class ReedSolomon {
public:
    // GF(2^8) has 255 non-zero elements, so k + m can be at most 255 for the Cauchy matrix
    // to exist (nanors' limit, data-plane.md §2.5).
    static constexpr uint32_t kMaxShards = 255;
    // At most min(k, m) data shards can be missing and rebuilt; with k + m <= 255 that is 127.
    static constexpr uint32_t kMaxMissing = 127;

    // Fills the tables. Call once before anything else. `allow_simd` false keeps to the
    // byte-at-a-time kernels (tests compare the two).
    void init(bool allow_simd = true);
    // Whether the shard kernels run 16 bytes at a time.
    bool uses_simd() const { return simd_; }

    uint8_t mul(uint8_t a, uint8_t b) const { return mul_[a][b]; }
    // Multiplicative inverse; inverse(0) is 0 (never used as a divisor here).
    uint8_t inverse(uint8_t a) const { return inverse_[a]; }
    // The video Cauchy coefficient P[j][i] for a block with m parity shards.
    uint8_t cauchy(uint32_t parity_shards, uint32_t j, uint32_t i) const {
        return inverse_[static_cast<uint8_t>((parity_shards + i) ^ j)];
    }

    // Computes the m Cauchy parity shards of k data shards over `size_bytes` bytes each.
    // Requires 1 <= k, 1 <= m, k + m <= kMaxShards. For tests and simulators: the receive
    // path never encodes.
    void encode_cauchy(uint32_t data_shards, uint32_t parity_shards, const uint8_t *const *data, uint8_t *const *parity,
                       size_t size_bytes) const;

    // Rebuilds the missing data shards of a Cauchy-coded block in place, all at once. The video
    // receive path decodes incrementally instead (solve_reduced_cauchy below); this one-shot
    // form is the reference the tests check every erasure pattern against.
    // `shards` has k + m pointers, data shards first; `present[i]` tells whether shard i was
    // received. Every data shard pointer must be valid: a missing one is where its bytes are
    // written. Parity pointers of absent shards are ignored. Only bytes
    // [offset_bytes, offset_bytes + size_bytes) of each shard are read or written; when
    // `rebuild_bytes` is given, missing data shard i is rebuilt over its first
    // min(rebuild_bytes[i], size_bytes) bytes only (byte columns are independent, so a prefix
    // costs only its length).
    // Returns false, writing nothing, when fewer than k shards are present or the shape is out
    // of range (k = 0, m = 0, k + m > kMaxShards).
    [[nodiscard]] bool reconstruct_cauchy(uint32_t data_shards, uint32_t parity_shards, uint8_t *const *shards,
                                          const bool *present, size_t offset_bytes, size_t size_bytes,
                                          const size_t *rebuild_bytes = nullptr);

    // Incremental decoding, for a receiver that wants little work left when a block's last
    // shard arrives: it "reduces" each parity shard as it arrives, XORing out every received
    // data shard's contribution with multiply_add(parity, data[i], cauchy(m, j, i)) (and folds
    // data shards that arrive later into the parity shards already reduced). A reduced parity
    // shard of row j then equals the sum over the missing data shards c of P[j][c] * data[c],
    // and once `count` of them are reduced, this solves that square system: it writes missing
    // data shard missing[c] to out[c] over bytes [offset_bytes, offset_bytes + size_bytes), or
    // over the first min(rebuild_bytes[c], size_bytes) of them when `rebuild_bytes` is given
    // (indexed like `missing`). Costs count^2 x shard bytes, against count x k x shard bytes
    // for reconstruct_cauchy. Returns false, writing nothing, when the shape is out of range.
    [[nodiscard]] bool solve_reduced_cauchy(uint32_t parity_shards, uint32_t count, const uint8_t *missing,
                                            const uint8_t *rows, const uint8_t *const *reduced, uint8_t *const *out,
                                            size_t offset_bytes, size_t size_bytes, const size_t *rebuild_bytes);

    // dst = factor * src and dst ^= factor * src over n bytes.
    void multiply(uint8_t *dst, const uint8_t *src, size_t n, uint8_t factor) const;
    void multiply_add(uint8_t *dst, const uint8_t *src, size_t n, uint8_t factor) const;

    // The same for an explicit parity matrix: `parity_matrix` holds m rows of k coefficients,
    // row-major (audio's fixed rows, data-plane.md §3.3). Any k of the k + m shards must
    // determine the data, i.e. every square submatrix the decoder picks must be invertible;
    // when one is not, returns false and writes nothing.
    [[nodiscard]] bool reconstruct(uint32_t data_shards, uint32_t parity_shards, const uint8_t *parity_matrix,
                                   uint8_t *const *shards, const bool *present, size_t offset_bytes, size_t size_bytes);

private:
    template <typename Coefficient>
    bool reconstruct_with(uint32_t data_shards, uint32_t parity_shards, Coefficient coefficient, uint8_t *const *shards,
                          const bool *present, size_t offset_bytes, size_t size_bytes, const size_t *rebuild_bytes);
    bool invert_square(uint32_t n);

    bool simd_ = false;
    uint8_t mul_[256][256];
    // Per constant c: c * (0..15), then c * ((0..15) << 4), for the shuffle kernels.
    uint8_t nibble_[256][32];
    uint8_t inverse_[256];
    // Scratch of one reconstruction: the square system (augmented with the identity), the
    // chosen rows, and the combined coefficients per missing shard and source shard.
    uint8_t system_[kMaxMissing][2 * kMaxMissing];
    uint8_t combined_[kMaxMissing][kMaxShards];
    uint8_t missing_[kMaxMissing];
    uint8_t parity_rows_[kMaxMissing];
    uint8_t sources_[kMaxShards];
};

}  // namespace gsc

#endif
