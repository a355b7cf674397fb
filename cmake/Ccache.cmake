# Compiler caching: a clean CI build reuses nothing, but local rebuilds after a
# branch switch or a reconfigure become nearly free.
find_program(PARLEY_CCACHE ccache)
if(PARLEY_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${PARLEY_CCACHE}")
endif()
