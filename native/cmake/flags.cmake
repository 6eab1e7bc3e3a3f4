# Compiler settings shared by every target of the core.

# Third-party C: optimised, warnings silenced (they are not ours to fix), never -Werror.
function(gsc_third_party_flags target)
  set_target_properties(${target} PROPERTIES C_STANDARD 99 C_EXTENSIONS ON)
  target_compile_options(${target} PRIVATE -w)
  gsc_target_flags(${target})
endfunction()

# Our C++: strict warnings as errors, no exceptions or RTTI (style guide B.11).
function(gsc_own_flags target)
  set_target_properties(${target} PROPERTIES
    CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Werror
    $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti>)
  gsc_target_flags(${target})
  if(GSC_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# Per-platform code generation. For WebAssembly: only MVP features, so the module runs on
# Chromium 69 (Tizen 5.5) and 76 (Tizen 6.0): sign-extension and non-trapping float-to-int
# arrived in Chrome 74/75, bulk memory in 75, SIMD in 91. (Mutable-global import/export, 74,
# has no compiler switch that works with the linker's defaults; the post-link check in
# wasm.cmake refuses a module that uses it.)
function(gsc_target_flags target)
  if(EMSCRIPTEN)
    target_compile_options(${target} PRIVATE ${GSC_WASM_FEATURE_FLAGS})
  endif()
endfunction()

set(GSC_WASM_FEATURE_FLAGS -mno-sign-ext -mno-bulk-memory -mno-nontrapping-fptoint -mno-simd128)
