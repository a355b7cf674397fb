# Strict warnings on parley's own targets only; third-party headers are
# included as system headers by their imported targets.
function(parley_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  # GCC 12 with optimisation reports impossible sizes in inlined std::string
  # code (GCC bugs 105329, 105651: -Wrestrict, -Wstringop-overflow false
  # positives on operator+ and assign). In optimised builds they stay
  # warnings, not errors; Debug builds keep them as errors.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE
      "$<$<NOT:$<CONFIG:Debug>>:-Wno-error=restrict;-Wno-error=stringop-overflow;-Wno-error=array-bounds>")
  endif()
endfunction()
