# libopus 1.3.1 from the Debian source package in .deps/src, as the static library gsc_opus.
# Decoder and encoder, floating point: WebAssembly has IEEE float in hardware, and the float
# build is the one upstream tunes and tests most on desktop CPUs. No SIMD variants (WebAssembly
# MVP has none, and one source list keeps native and WASM output identical), no programs.

file(GLOB GSC_OPUS_DIR LIST_DIRECTORIES true "${GSC_DEPS_DIR}/opus-*")
list(FILTER GSC_OPUS_DIR EXCLUDE REGEX "\\.(tar\\..*|dsc)$")
list(LENGTH GSC_OPUS_DIR GSC_OPUS_DIR_COUNT)
if(NOT GSC_OPUS_DIR_COUNT EQUAL 1)
  message(FATAL_ERROR "expected one libopus source tree in ${GSC_DEPS_DIR}, found '${GSC_OPUS_DIR}' (run: npm run setup)")
endif()

# Reads the file list assigned to `variable` in one of opus's automake fragments
# (`NAME = a.c \` continued over lines), so the list is the one upstream maintains.
function(gsc_opus_sources_from_mk out mk_file variable)
  file(READ "${GSC_OPUS_DIR}/${mk_file}" text)
  string(REGEX REPLACE "\\\\\r?\n" " " text "${text}")
  string(REGEX MATCH "(^|\n)${variable} *=[^\n]*" line "${text}")
  if(line STREQUAL "")
    message(FATAL_ERROR "${variable} not found in ${mk_file}")
  endif()
  string(REGEX REPLACE "^\n?${variable} *= *" "" line "${line}")
  string(REGEX MATCHALL "[^ \t]+\\.c" files "${line}")
  list(TRANSFORM files PREPEND "${GSC_OPUS_DIR}/")
  set(${out} ${files} PARENT_SCOPE)
endfunction()

gsc_opus_sources_from_mk(celt celt_sources.mk CELT_SOURCES)
gsc_opus_sources_from_mk(silk silk_sources.mk SILK_SOURCES)
gsc_opus_sources_from_mk(silk_float silk_sources.mk SILK_SOURCES_FLOAT)
gsc_opus_sources_from_mk(opus opus_sources.mk OPUS_SOURCES)
gsc_opus_sources_from_mk(opus_float opus_sources.mk OPUS_SOURCES_FLOAT)

add_library(gsc_opus STATIC ${celt} ${silk} ${silk_float} ${opus} ${opus_float})
target_include_directories(gsc_opus
  SYSTEM PUBLIC "${GSC_OPUS_DIR}/include"
  PRIVATE "${GSC_OPUS_DIR}" "${GSC_OPUS_DIR}/celt" "${GSC_OPUS_DIR}/silk" "${GSC_OPUS_DIR}/silk/float")
# VAR_ARRAYS: scratch arrays on the stack; without it or USE_ALLOCA opus falls back to a
# global scratch buffer, which two decoders in one process would share.
target_compile_definitions(gsc_opus PRIVATE OPUS_BUILD VAR_ARRAYS HAVE_LRINT HAVE_LRINTF)
gsc_third_party_flags(gsc_opus)
