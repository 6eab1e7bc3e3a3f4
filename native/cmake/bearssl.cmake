# BearSSL 0.6 from the Debian source package in .deps/src, as the static library gsc_bearssl.
# Time and entropy are inputs of the sans-IO core (style guide C.5), so BearSSL must never
# read the system clock or /dev/urandom, nor pick RDRAND behind our back on native builds.

file(GLOB GSC_BEARSSL_DIR LIST_DIRECTORIES true "${GSC_DEPS_DIR}/bearssl-*")
list(FILTER GSC_BEARSSL_DIR EXCLUDE REGEX "\\.(tar\\..*|dsc)$")
list(LENGTH GSC_BEARSSL_DIR GSC_BEARSSL_DIR_COUNT)
if(NOT GSC_BEARSSL_DIR_COUNT EQUAL 1)
  message(FATAL_ERROR "expected one BearSSL source tree in ${GSC_DEPS_DIR}, found '${GSC_BEARSSL_DIR}' (run: npm run setup)")
endif()

file(GLOB_RECURSE GSC_BEARSSL_SOURCES CONFIGURE_DEPENDS "${GSC_BEARSSL_DIR}/src/*.c")
add_library(gsc_bearssl STATIC ${GSC_BEARSSL_SOURCES})
target_include_directories(gsc_bearssl
  SYSTEM PUBLIC "${GSC_BEARSSL_DIR}/inc"
  PRIVATE "${GSC_BEARSSL_DIR}/src")
target_compile_definitions(gsc_bearssl PRIVATE
  BR_USE_UNIX_TIME=0 BR_USE_URANDOM=0 BR_USE_WIN32_TIME=0 BR_USE_WIN32_RAND=0 BR_RDRAND=0)
gsc_third_party_flags(gsc_bearssl)
