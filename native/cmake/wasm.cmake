# core.wasm: the core's sources linked straight into one standalone module. Linking the
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

# The whole module must validate with only MVP features, or older TV engines refuse it.
find_program(GSC_WASM_OPT wasm-opt)
if(GSC_WASM_OPT)
  add_custom_command(TARGET core POST_BUILD
    COMMAND "${GSC_WASM_OPT}" --mvp-features --quiet "$<TARGET_FILE:core>" -o /dev/null
    COMMENT "checking core.wasm uses WebAssembly MVP features only"
    VERBATIM)
endif()
