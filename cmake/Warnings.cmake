# Strict warnings on parley's own targets only; third-party headers are
# included as system headers by their imported targets.
function(parley_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()
