#include "core/logging.hpp"

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
