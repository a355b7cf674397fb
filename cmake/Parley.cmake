# parley_library(name SOURCES ... DEPS ...): one static library per module,
# includes rooted at the project, strict warnings, and the shared precompiled
# header when the module uses the heavy network headers.
function(parley_target_defaults target)
  target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}")
  parley_set_warnings(${target})
endfunction()

# Beast and Asio are compiled once (parley_asio, see core/net/) and their heavy
# headers are precompiled once (parley_pch); every network target reuses both.
function(parley_use_network target)
  target_link_libraries(${target} PUBLIC parley_asio)
  target_precompile_headers(${target} REUSE_FROM parley_pch)
endfunction()
