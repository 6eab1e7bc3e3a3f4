// The one bounds-checked reader every parser of network input goes through (style guide
// C.9). Each read either succeeds entirely or fails and leaves the reader where it was;
// nothing reads past `size`.
#ifndef GSC_BYTE_READER_HPP
#define GSC_BYTE_READER_HPP

#include <cstddef>
#include <cstdint>

namespace gsc {

class ByteReader {
public:
    ByteReader(const uint8_t *data, size_t size_bytes) : data_(data), size_(size_bytes) {}

    size_t remaining() const { return size_ - pos_; }
    size_t position() const { return pos_; }
    const uint8_t *cursor() const { return data_ + pos_; }

    [[nodiscard]] bool u8(uint8_t &out) {
        if (remaining() < 1) return false;
        out = data_[pos_++];
        return true;
    }
    [[nodiscard]] bool u16_be(uint16_t &out) { return read_int(out, 2, true); }
    [[nodiscard]] bool u16_le(uint16_t &out) { return read_int(out, 2, false); }
    [[nodiscard]] bool u32_be(uint32_t &out) { return read_int(out, 4, true); }
    [[nodiscard]] bool u32_le(uint32_t &out) { return read_int(out, 4, false); }

    // Borrows `count` bytes in place (no copy); valid as long as the underlying buffer.
    [[nodiscard]] bool bytes(const uint8_t *&out, size_t count) {
        if (remaining() < count) return false;
        out = data_ + pos_;
        pos_ += count;
        return true;
    }
    [[nodiscard]] bool skip(size_t count) {
        if (remaining() < count) return false;
        pos_ += count;
        return true;
    }

private:
    template <typename T>
    bool read_int(T &out, size_t width, bool big_endian) {
        if (remaining() < width) return false;
        T value = 0;
        for (size_t i = 0; i < width; ++i) {
            const size_t shift = big_endian ? (width - 1 - i) * 8 : i * 8;
            value = static_cast<T>(value | (static_cast<T>(data_[pos_ + i]) << shift));
        }
        pos_ += width;
        out = value;
        return true;
    }

    const uint8_t *data_;
    size_t size_;
    size_t pos_ = 0;
};

}  // namespace gsc

#endif
