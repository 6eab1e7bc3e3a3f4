// A minimal test harness for the core's native tests.
//
//   TEST(sha256_of_abc_matches_fips_180_2) { CHECK(...); CHECK_EQ(a, b); REQUIRE(p != nullptr); }
//
// TEST registers a case at static-initialisation time; test_main.cpp runs every case (or
// those whose name contains the first command-line argument) and prints "N passed, N failed".
// CHECK* records a failure and goes on; REQUIRE* records it and leaves the case. Byte vectors
// are written as hex (style guide F.3) with gsc_test::hex() and compared with CHECK_BYTES.
#ifndef GSC_TEST_HARNESS_HPP
#define GSC_TEST_HARNESS_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace gsc_test {

using Bytes = std::vector<uint8_t>;

struct Case {
    const char *name;
    void (*run)();
};

// The registry is the one piece of process-wide state, and it lives in test code only.
std::vector<Case> &registry();
// Failures recorded by the case that is running.
int &current_failures();

struct Registrar {
    Registrar(const char *name, void (*run)()) { registry().push_back({name, run}); }
};

void report_failure(const char *file, int line, const std::string &what);

// Parses hex digits, ignoring spaces; aborts the program on a malformed literal (a test bug).
Bytes hex(const char *text);
std::string to_hex(const uint8_t *bytes, std::size_t size_bytes);
inline std::string to_hex(const Bytes &bytes) { return to_hex(bytes.data(), bytes.size()); }

template <typename T>
std::string describe(const T &value) {
    return std::to_string(value);
}
inline std::string describe(const char *value) { return value == nullptr ? "(null)" : std::string("\"") + value + "\""; }
inline std::string describe(const std::string &value) { return "\"" + value + "\""; }

}  // namespace gsc_test

#define GSC_TEST_CONCAT_INNER(a, b) a##b
#define GSC_TEST_CONCAT(a, b) GSC_TEST_CONCAT_INNER(a, b)

#define TEST(name)                                                                \
    static void GSC_TEST_CONCAT(gsc_test_fn_, name)();                            \
    static const ::gsc_test::Registrar GSC_TEST_CONCAT(gsc_test_reg_, name){      \
        #name, &GSC_TEST_CONCAT(gsc_test_fn_, name)};                             \
    static void GSC_TEST_CONCAT(gsc_test_fn_, name)()

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) ::gsc_test::report_failure(__FILE__, __LINE__, "CHECK(" #cond ")"); \
    } while (0)

#define REQUIRE(cond)                                                                       \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            ::gsc_test::report_failure(__FILE__, __LINE__, "REQUIRE(" #cond ")");           \
            return;                                                                         \
        }                                                                                   \
    } while (0)

#define GSC_TEST_CHECK_EQ_IMPL(a, b, on_fail)                                                          \
    do {                                                                                               \
        const auto &gsc_a_ = (a);                                                                      \
        const auto &gsc_b_ = (b);                                                                      \
        if (!(gsc_a_ == gsc_b_)) {                                                                     \
            ::gsc_test::report_failure(__FILE__, __LINE__,                                             \
                                       std::string(#a " == " #b ": ") + ::gsc_test::describe(gsc_a_) + \
                                           " vs " + ::gsc_test::describe(gsc_b_));                     \
            on_fail;                                                                                   \
        }                                                                                              \
    } while (0)

#define CHECK_EQ(a, b) GSC_TEST_CHECK_EQ_IMPL(a, b, (void)0)
#define REQUIRE_EQ(a, b) GSC_TEST_CHECK_EQ_IMPL(a, b, return)

// Compares size_bytes bytes at `actual` with a hex literal.
#define CHECK_BYTES(actual, size_bytes, expected_hex)                                                          \
    do {                                                                                                       \
        const ::gsc_test::Bytes gsc_expected_ = ::gsc_test::hex(expected_hex);                                 \
        const std::string gsc_actual_hex_ = ::gsc_test::to_hex((actual), (size_bytes));                       \
        const std::string gsc_expected_hex_ = ::gsc_test::to_hex(gsc_expected_);                               \
        if (gsc_actual_hex_ != gsc_expected_hex_) {                                                            \
            ::gsc_test::report_failure(__FILE__, __LINE__,                                                     \
                                       std::string("bytes of " #actual ": ") + gsc_actual_hex_ + " expected " + \
                                           gsc_expected_hex_);                                                 \
        }                                                                                                      \
    } while (0)

#endif  // GSC_TEST_HARNESS_HPP
