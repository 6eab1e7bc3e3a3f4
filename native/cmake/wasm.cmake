# core.wasm: the core's sources linked straight into one standalone module, for every engine
# back to Chromium 69; core-simd.wasm: the same sources for engines with WebAssembly SIMD
# (Chromium 91+, Tizen 7.0+ TVs), where the FEC kernels run 16 bytes at a time. The loader
# picks the second where the engine validates SIMD (wasm/core-file.ts). Linking the
# sources (not the gsc_core archive) keeps every GSC_API function: the linker would drop
# archive members nothing references, and from the module's point of view nothing does.
add_executable(core ${GSC_CORE_SOURCES})
gsc_core_settings(core)
set_target_properties(core PROPERTIES SUFFIX ".wasm" RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}")
target_link_options(core PRIVATE
  ${GSC_WASM_FEATURE_FLAGS}
  --no-entry
  -sSTANDALONE_WASM=1
  # 64-bit values stay out of exports: engines before Chromium 85 cannot pass them to JS.
  -sWASM_BIGINT=0
  -sALLOW_MEMORY_GROWTH=1
  -sINITIAL_MEMORY=4MB
  -sTOTAL_STACK=1MB
  -sFILESYSTEM=0
  -sERROR_ON_UNDEFINED_SYMBOLS=1)

# Our sources only: BearSSL and libopus stay the MVP build, which any engine runs. The later
# flags override the MVP ones gsc_core_settings set. Every feature here shipped by Chromium 91.
set(GSC_WASM_SIMD_FEATURE_FLAGS -msimd128 -msign-ext -mbulk-memory -mnontrapping-fptoint)
add_executable(core-simd ${GSC_CORE_SOURCES})
gsc_core_settings(core-simd)
target_compile_options(core-simd PRIVATE ${GSC_WASM_SIMD_FEATURE_FLAGS})
set_target_properties(core-simd PROPERTIES SUFFIX ".wasm" RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}")
get_target_property(GSC_CORE_LINK_OPTIONS core LINK_OPTIONS)
list(REMOVE_ITEM GSC_CORE_LINK_OPTIONS ${GSC_WASM_FEATURE_FLAGS})
target_link_options(core-simd PRIVATE ${GSC_WASM_SIMD_FEATURE_FLAGS} ${GSC_CORE_LINK_OPTIONS})

# Each module must validate with exactly its features, or the engines it is for refuse it.
find_program(GSC_WASM_OPT wasm-opt)
if(GSC_WASM_OPT)
  add_custom_command(TARGET core POST_BUILD
    COMMAND "${GSC_WASM_OPT}" --mvp-features --quiet "$<TARGET_FILE:core>" -o /dev/null
    COMMENT "checking core.wasm uses WebAssembly MVP features only"
    VERBATIM)
  add_custom_command(TARGET core-simd POST_BUILD
    COMMAND "${GSC_WASM_OPT}" --mvp-features --enable-simd --enable-sign-ext --enable-bulk-memory
            --enable-nontrapping-float-to-int --quiet "$<TARGET_FILE:core-simd>" -o /dev/null
    COMMENT "checking core-simd.wasm uses only the features of Chromium 91"
    VERBATIM)
endif()
