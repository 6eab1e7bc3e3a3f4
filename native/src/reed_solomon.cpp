// Contract and theory in reed_solomon.hpp.
#include "reed_solomon.hpp"

#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define GSC_RS_WASM_SIMD 1
#elif defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define GSC_RS_X86_SSSE3 1
#endif

namespace gsc {

namespace {

// x^8 + x^4 + x^3 + x^2 + 1, the polynomial both GameStream sides use (data-plane.md §2.5).
constexpr uint32_t kFieldPolynomial = 0x11D;
constexpr uint32_t kFieldOrder = 255;

// Bytes handled per unrolled step of the shard kernels: enough to hide the loop overhead,
// small enough that the tail loop stays short.
constexpr size_t kUnroll = 8;

uint64_t load64(const uint8_t *p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

void store64(uint8_t *p, uint64_t v) { std::memcpy(p, &v, sizeof v); }

// dst = row[src], byte by byte: two loads and a store per byte is the floor for a table
// multiply without SIMD (WebAssembly MVP has none).
void mul_set(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *row) {
    size_t x = 0;
    for (; x + kUnroll <= n; x += kUnroll) {
        dst[x + 0] = row[src[x + 0]];
        dst[x + 1] = row[src[x + 1]];
        dst[x + 2] = row[src[x + 2]];
        dst[x + 3] = row[src[x + 3]];
        dst[x + 4] = row[src[x + 4]];
        dst[x + 5] = row[src[x + 5]];
        dst[x + 6] = row[src[x + 6]];
        dst[x + 7] = row[src[x + 7]];
    }
    for (; x < n; x++) dst[x] = row[src[x]];
}

// dst ^= row[src]. Byte-wise XOR into memory is cheaper here than gathering eight products
// into a word first (measured: 3.4 against 4.6 instructions per byte with GCC -O2 on x86-64).
void mul_add(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *row) {
    size_t x = 0;
    for (; x + kUnroll <= n; x += kUnroll) {
        dst[x + 0] ^= row[src[x + 0]];
        dst[x + 1] ^= row[src[x + 1]];
        dst[x + 2] ^= row[src[x + 2]];
        dst[x + 3] ^= row[src[x + 3]];
        dst[x + 4] ^= row[src[x + 4]];
        dst[x + 5] ^= row[src[x + 5]];
        dst[x + 6] ^= row[src[x + 6]];
        dst[x + 7] ^= row[src[x + 7]];
    }
    for (; x < n; x++) dst[x] ^= row[src[x]];
}

// dst ^= src: the coefficient-1 case, a word at a time.
void xor_add(uint8_t *dst, const uint8_t *src, size_t n) {
    size_t x = 0;
    for (; x + sizeof(uint64_t) <= n; x += sizeof(uint64_t)) store64(dst + x, load64(dst + x) ^ load64(src + x));
    for (; x < n; x++) dst[x] ^= src[x];
}

// The split-nibble products: c * x = c * (x & 15) XOR c * (x & 0xF0), each half a 16-entry
// table look-up, so one byte shuffle multiplies 16 bytes at once. `nib` holds c * (0..15)
// then c * (0..15) << 4; the tail shorter than a vector uses the 256-byte row.
#if defined(GSC_RS_WASM_SIMD)
// Two vectors a step: the engine does not unroll, and one step alone spends a third of its
// instructions on the loop.
template <bool Accumulate>
void mul_simd(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *nib, const uint8_t *row) {
    const v128_t lo = wasm_v128_load(nib);
    const v128_t hi = wasm_v128_load(nib + 16);
    const v128_t low_nibble = wasm_i8x16_splat(0x0F);
    const auto product = [&](v128_t s) {
        return wasm_v128_xor(wasm_i8x16_swizzle(lo, wasm_v128_and(s, low_nibble)),
                             wasm_i8x16_swizzle(hi, wasm_u8x16_shr(s, 4)));
    };
    size_t x = 0;
    for (; x + 32 <= n; x += 32) {
        v128_t p0 = product(wasm_v128_load(src + x));
        v128_t p1 = product(wasm_v128_load(src + x + 16));
        if (Accumulate) {
            p0 = wasm_v128_xor(p0, wasm_v128_load(dst + x));
            p1 = wasm_v128_xor(p1, wasm_v128_load(dst + x + 16));
        }
        wasm_v128_store(dst + x, p0);
        wasm_v128_store(dst + x + 16, p1);
    }
    for (; x + 16 <= n; x += 16) {
        v128_t p = product(wasm_v128_load(src + x));
        if (Accumulate) p = wasm_v128_xor(p, wasm_v128_load(dst + x));
        wasm_v128_store(dst + x, p);
    }
    for (; x < n; x++) dst[x] = Accumulate ? static_cast<uint8_t>(dst[x] ^ row[src[x]]) : row[src[x]];
}

bool simd_available() { return true; }
#elif defined(GSC_RS_X86_SSSE3)
// Compiled for SSSE3 whatever the build's target, and used only when the CPU has it.
template <bool Accumulate>
__attribute__((target("ssse3"))) void mul_simd(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t *nib,
                                               const uint8_t *row) {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i *>(nib));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i *>(nib + 16));
    const __m128i low_nibble = _mm_set1_epi8(0x0F);
    size_t x = 0;
    for (; x + 16 <= n; x += 16) {
        const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + x));
        __m128i p = _mm_xor_si128(_mm_shuffle_epi8(lo, _mm_and_si128(s, low_nibble)),
                                  _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi64(s, 4), low_nibble)));
        if (Accumulate) p = _mm_xor_si128(p, _mm_loadu_si128(reinterpret_cast<const __m128i *>(dst + x)));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + x), p);
    }
    for (; x < n; x++) dst[x] = Accumulate ? static_cast<uint8_t>(dst[x] ^ row[src[x]]) : row[src[x]];
}

bool simd_available() { return __builtin_cpu_supports("ssse3") != 0; }
#else
template <bool Accumulate>
void mul_simd(uint8_t *, const uint8_t *, size_t, const uint8_t *, const uint8_t *) {}

bool simd_available() { return false; }
#endif

}  // namespace

void ReedSolomon::init(bool allow_simd) {
    simd_ = allow_simd && simd_available();
    uint8_t exp[2 * kFieldOrder];
    uint8_t log[256] = {};
    uint32_t value = 1;
    for (uint32_t i = 0; i < kFieldOrder; i++) {
        exp[i] = static_cast<uint8_t>(value);
        exp[i + kFieldOrder] = static_cast<uint8_t>(value);
        log[value] = static_cast<uint8_t>(i);
        value <<= 1;
        if (value & 0x100) value ^= kFieldPolynomial;
    }
    for (uint32_t a = 0; a < 256; a++) {
        for (uint32_t b = 0; b < 256; b++) {
            mul_[a][b] = (a == 0 || b == 0) ? 0 : exp[log[a] + log[b]];
        }
        inverse_[a] = a == 0 ? 0 : exp[(kFieldOrder - log[a]) % kFieldOrder];
    }
    for (uint32_t c = 0; c < 256; c++) {
        for (uint32_t x = 0; x < 16; x++) {
            nibble_[c][x] = mul_[c][x];
            nibble_[c][16 + x] = mul_[c][x << 4];
        }
    }
}

void ReedSolomon::multiply(uint8_t *dst, const uint8_t *src, size_t n, uint8_t factor) const {
    if (simd_) {
        mul_simd<false>(dst, src, n, nibble_[factor], mul_[factor]);
    } else {
        mul_set(dst, src, n, mul_[factor]);
    }
}

void ReedSolomon::multiply_add(uint8_t *dst, const uint8_t *src, size_t n, uint8_t factor) const {
    if (simd_) {
        mul_simd<true>(dst, src, n, nibble_[factor], mul_[factor]);
    } else {
        mul_add(dst, src, n, mul_[factor]);
    }
}

void ReedSolomon::encode_cauchy(uint32_t data_shards, uint32_t parity_shards, const uint8_t *const *data,
                                uint8_t *const *parity, size_t size_bytes) const {
    for (uint32_t j = 0; j < parity_shards; j++) {
        multiply(parity[j], data[0], size_bytes, cauchy(parity_shards, j, 0));
        for (uint32_t i = 1; i < data_shards; i++) multiply_add(parity[j], data[i], size_bytes, cauchy(parity_shards, j, i));
    }
}

bool ReedSolomon::reconstruct_cauchy(uint32_t data_shards, uint32_t parity_shards, uint8_t *const *shards,
                                     const bool *present, size_t offset_bytes, size_t size_bytes,
                                     const size_t *rebuild_bytes) {
    const auto coefficient = [this, parity_shards](uint32_t j, uint32_t i) { return cauchy(parity_shards, j, i); };
    return reconstruct_with(data_shards, parity_shards, coefficient, shards, present, offset_bytes, size_bytes,
                            rebuild_bytes);
}

bool ReedSolomon::reconstruct(uint32_t data_shards, uint32_t parity_shards, const uint8_t *parity_matrix,
                              uint8_t *const *shards, const bool *present, size_t offset_bytes, size_t size_bytes) {
    const auto coefficient = [parity_matrix, data_shards](uint32_t j, uint32_t i) {
        return parity_matrix[j * data_shards + i];
    };
    return reconstruct_with(data_shards, parity_shards, coefficient, shards, present, offset_bytes, size_bytes, nullptr);
}

template <typename Coefficient>
bool ReedSolomon::reconstruct_with(uint32_t data_shards, uint32_t parity_shards, Coefficient coefficient,
                                   uint8_t *const *shards, const bool *present, size_t offset_bytes,
                                   size_t size_bytes, const size_t *rebuild_bytes) {
    if (data_shards == 0 || parity_shards == 0 || data_shards + parity_shards > kMaxShards) return false;

    // The missing data shards, and as many received parity shards to stand in for them.
    uint32_t missing = 0;
    for (uint32_t i = 0; i < data_shards; i++) {
        if (!present[i]) missing_[missing++] = static_cast<uint8_t>(i);
    }
    if (missing == 0) return true;
    uint32_t rows = 0;
    for (uint32_t j = 0; j < parity_shards && rows < missing; j++) {
        if (present[data_shards + j]) parity_rows_[rows++] = static_cast<uint8_t>(j);
    }
    if (rows < missing) return false;

    // Parity row j restricted to the missing columns is the square system; the received data
    // shards only shift its right-hand side.
    for (uint32_t r = 0; r < missing; r++) {
        for (uint32_t c = 0; c < missing; c++) system_[r][c] = coefficient(parity_rows_[r], missing_[c]);
    }
    if (!invert_square(missing)) return false;

    // missing[c] = sum over r of inv[c][r] * (parity[row r] + sum over known i of P[row r][i] * data[i]),
    // folded into one coefficient per source shard.
    uint32_t sources = 0;
    for (uint32_t i = 0; i < data_shards; i++) {
        if (!present[i]) continue;
        for (uint32_t c = 0; c < missing; c++) {
            uint8_t sum = 0;
            for (uint32_t r = 0; r < missing; r++) sum ^= mul_[system_[c][missing + r]][coefficient(parity_rows_[r], i)];
            combined_[c][sources] = sum;
        }
        sources_[sources++] = static_cast<uint8_t>(i);
    }
    for (uint32_t r = 0; r < missing; r++) {
        for (uint32_t c = 0; c < missing; c++) combined_[c][sources] = system_[c][missing + r];
        sources_[sources++] = static_cast<uint8_t>(data_shards + parity_rows_[r]);
    }

    for (uint32_t c = 0; c < missing; c++) {
        uint8_t *dst = shards[missing_[c]] + offset_bytes;
        size_t n = size_bytes;
        if (rebuild_bytes != nullptr && rebuild_bytes[missing_[c]] < n) n = rebuild_bytes[missing_[c]];
        bool written = false;
        for (uint32_t s = 0; s < sources; s++) {
            const uint8_t factor = combined_[c][s];
            if (factor == 0) continue;
            const uint8_t *src = shards[sources_[s]] + offset_bytes;
            if (!written) {
                if (factor == 1) {
                    std::memcpy(dst, src, n);
                } else {
                    multiply(dst, src, n, factor);
                }
                written = true;
            } else if (factor == 1) {
                xor_add(dst, src, n);
            } else {
                multiply_add(dst, src, n, factor);
            }
        }
        if (!written) std::memset(dst, 0, n);
    }
    return true;
}

bool ReedSolomon::solve_reduced_cauchy(uint32_t parity_shards, uint32_t count, const uint8_t *missing,
                                       const uint8_t *rows, const uint8_t *const *reduced, uint8_t *const *out,
                                       size_t offset_bytes, size_t size_bytes, const size_t *rebuild_bytes) {
    if (count == 0) return true;
    if (count > kMaxMissing || parity_shards == 0 || parity_shards >= kMaxShards) return false;
    for (uint32_t r = 0; r < count; r++) {
        if (rows[r] >= parity_shards || missing[r] >= kMaxShards - parity_shards) return false;
        for (uint32_t c = 0; c < count; c++) system_[r][c] = cauchy(parity_shards, rows[r], missing[c]);
    }
    if (!invert_square(count)) return false;
    for (uint32_t c = 0; c < count; c++) {
        uint8_t *dst = out[c] + offset_bytes;
        size_t n = size_bytes;
        if (rebuild_bytes != nullptr && rebuild_bytes[c] < n) n = rebuild_bytes[c];
        multiply(dst, reduced[0] + offset_bytes, n, system_[c][count]);
        for (uint32_t r = 1; r < count; r++) multiply_add(dst, reduced[r] + offset_bytes, n, system_[c][count + r]);
    }
    return true;
}

// Gauss-Jordan elimination of system_[0..n)[0..n), augmented in place with the identity in
// columns [n, 2n); on success those columns hold the inverse.
bool ReedSolomon::invert_square(uint32_t n) {
    for (uint32_t r = 0; r < n; r++) {
        for (uint32_t c = 0; c < n; c++) system_[r][n + c] = r == c ? 1 : 0;
    }
    for (uint32_t col = 0; col < n; col++) {
        uint32_t pivot = col;
        while (pivot < n && system_[pivot][col] == 0) pivot++;
        if (pivot == n) return false;
        if (pivot != col) {
            for (uint32_t c = 0; c < 2 * n; c++) {
                const uint8_t t = system_[col][c];
                system_[col][c] = system_[pivot][c];
                system_[pivot][c] = t;
            }
        }
        const uint8_t *scale = mul_[inverse_[system_[col][col]]];
        for (uint32_t c = 0; c < 2 * n; c++) system_[col][c] = scale[system_[col][c]];
        for (uint32_t r = 0; r < n; r++) {
            const uint8_t factor = system_[r][col];
            if (r == col || factor == 0) continue;
            const uint8_t *row = mul_[factor];
            for (uint32_t c = 0; c < 2 * n; c++) system_[r][c] ^= row[system_[col][c]];
        }
    }
    return true;
}

}  // namespace gsc
