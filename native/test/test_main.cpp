// Runs the registered native test cases: `gsc_tests [name-substring]`.
// Exit status 0 only when every selected case passed and at least one ran.
#include <cstdlib>
#include <cstring>

#include "test_harness.hpp"

namespace gsc_test {

std::vector<Case> &registry() {
    static std::vector<Case> cases;
    return cases;
}

int &current_failures() {
    static int failures = 0;
    return failures;
}

void report_failure(const char *file, int line, const std::string &what) {
    current_failures()++;
    std::fprintf(stderr, "  %s:%d: %s\n", file, line, what.c_str());
}

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Bytes hex(const char *text) {
    Bytes out;
    int high = -1;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == ' ' || *p == '\n') continue;
        const int digit = hex_digit(*p);
        if (digit < 0) {
            std::fprintf(stderr, "bad hex literal in a test: %s\n", text);
            std::abort();
        }
        if (high < 0) {
            high = digit;
        } else {
            out.push_back(static_cast<uint8_t>(high << 4 | digit));
            high = -1;
        }
    }
    if (high >= 0) {
        std::fprintf(stderr, "odd-length hex literal in a test: %s\n", text);
        std::abort();
    }
    return out;
}

std::string to_hex(const uint8_t *bytes, std::size_t size_bytes) {
    static const char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size_bytes * 2);
    for (std::size_t i = 0; i < size_bytes; i++) {
        out.push_back(kDigits[bytes[i] >> 4]);
        out.push_back(kDigits[bytes[i] & 15]);
    }
    return out;
}

}  // namespace gsc_test

int main(int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : nullptr;
    int passed = 0;
    int failed = 0;
    for (const gsc_test::Case &c : gsc_test::registry()) {
        if (filter != nullptr && std::strstr(c.name, filter) == nullptr) continue;
        gsc_test::current_failures() = 0;
        std::fprintf(stderr, "%s\n", c.name);
        c.run();
        if (gsc_test::current_failures() == 0) {
            passed++;
        } else {
            failed++;
            std::fprintf(stderr, "FAILED %s\n", c.name);
        }
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
