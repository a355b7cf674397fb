# Every dependency comes from a Debian 12 package; nothing is downloaded.
#   libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libsimdjson-dev
#   libfmt-dev libspdlog-dev libtomlplusplus-dev libcli11-dev catch2
#   libsqlite3-dev libssl-dev
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
