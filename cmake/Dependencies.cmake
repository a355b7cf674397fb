# Every dependency comes from a Debian 12 package; nothing is downloaded.
#   libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libsimdjson-dev
#   libfmt-dev libspdlog-dev libtomlplusplus-dev libcli11-dev catch2
#   libsqlite3-dev libssl-dev libjemalloc-dev
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS headers json url)
find_package(simdjson REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
if(PARLEY_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
  include(Catch)
endif()

# parleyd's allocator. jemalloc in an unsanitized build: glibc's malloc was a
# fifth of a proxied request's instructions (≈ 100 allocations per request,
# many past its per-thread cache), jemalloc's a third of that (docs/architecture.md,
# "Memory allocator"). Sanitizers bring their own allocator, so they get the system's.
set(PARLEY_ALLOCATOR "jemalloc" CACHE STRING "parleyd's allocator: jemalloc or system")
set_property(CACHE PARLEY_ALLOCATOR PROPERTY STRINGS jemalloc system)
if(PARLEY_ALLOCATOR STREQUAL "jemalloc" AND NOT PARLEY_SANITIZE)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  set(PARLEY_LINK_JEMALLOC ON)
  message(STATUS "parley: parleyd allocates with jemalloc ${JEMALLOC_VERSION}")
elseif(NOT PARLEY_ALLOCATOR MATCHES "^(jemalloc|system)$")
  message(FATAL_ERROR "PARLEY_ALLOCATOR: ${PARLEY_ALLOCATOR} is neither jemalloc nor system")
endif()
