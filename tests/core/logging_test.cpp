#include "core/logging.hpp"

#include <chrono>
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

TEST_CASE("secret query parameters are redacted from logged targets", "[core][logging]") {
    using parley::core::redact_target;
    CHECK(redact_target("/v1/ws") == "/v1/ws");
    CHECK(redact_target("/v1/ws?access_token=sk-123") == "/v1/ws?access_token=REDACTED");
    CHECK(redact_target("/v1/ws?a=1&access_token=sk-123&b=2") == "/v1/ws?a=1&access_token=REDACTED&b=2");
    CHECK(redact_target("/v1/sessions?limit=20&after=ses_1") == "/v1/sessions?limit=20&after=ses_1");
    CHECK(redact_target("/x?api_key=k&token=t") == "/x?api_key=REDACTED&token=REDACTED");
}

TEST_CASE("log levels are validated by name", "[core][logging]") {
    CHECK(parley::core::set_log_level("debug"));
    CHECK_FALSE(parley::core::set_log_level("chatty"));
    CHECK(parley::core::set_log_level("info"));
}

TEST_CASE("a text access line carries the request's method, target, status, size, duration and peer",
          "[core][logging]") {
    std::ostringstream captured;
    auto* const previous = std::cout.rdbuf(captured.rdbuf());
    parley::core::configure_logging({.level = "info", .format = parley::core::LogFormat::text});
    parley::core::log_access({.method = "POST",
                              .target = "/v1/chat/completions?api_key=sk-1",
                              .status = 200,
                              .bytes = 417,
                              .duration = std::chrono::microseconds(1235),
                              .remote = "127.0.0.1:50312"});
    spdlog::get("parley.access")->flush();
    std::cout.rdbuf(previous);
    parley::core::configure_logging({});
    const auto line = captured.str();
    CHECK(
        line.ends_with(" info  access POST /v1/chat/completions?api_key=REDACTED 200 417B 1.235ms 127.0.0.1:50312\n"));
}
