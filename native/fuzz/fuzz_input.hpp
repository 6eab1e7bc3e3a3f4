// What the fuzz targets share: the fuzzer's bytes read as a script of small decisions, and
// an invariant check that crashes (the fuzzer then keeps the input).
#ifndef GSC_FUZZ_INPUT_HPP
#define GSC_FUZZ_INPUT_HPP

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace gsc_fuzz {

inline void check(bool condition) {
    if (!condition) std::abort();
}

struct Input {
    const uint8_t *data;
    size_t size;
    size_t at = 0;
    bool u8(uint8_t &out) {
        if (at >= size) return false;
        out = data[at++];
        return true;
    }
    bool u16(uint16_t &out) {
        uint8_t lo = 0, hi = 0;
        if (!u8(lo) || !u8(hi)) return false;
        out = static_cast<uint16_t>(lo | (hi << 8));
        return true;
    }
    // Exactly `count` bytes copied out, or false (nothing read) when fewer are left.
    bool bytes(uint8_t *out, size_t count) {
        if (size - at < count) return false;
        std::memcpy(out, data + at, count);
        at += count;
        return true;
    }
    // Up to `n` bytes in place; `n` is lowered to what is left.
    const uint8_t *take(size_t &n) {
        if (n > size - at) n = size - at;
        const uint8_t *p = data + at;
        at += n;
        return p;
    }
};

}  // namespace gsc_fuzz

#endif
