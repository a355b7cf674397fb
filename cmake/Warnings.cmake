# Strict warnings on parley's own targets only; third-party headers are
# included as system headers by their imported targets.
function(parley_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  # GCC 12 at -O3 reports impossible sizes for inlined std::string concatenation
  # (GCC bugs 105329, 105651); kept as warnings so a Release build still builds.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE
      $<$<CONFIG:Release,RelWithDebInfo>:-Wno-error=stringop-overflow -Wno-error=restrict>)
  endif()
endfunction()
