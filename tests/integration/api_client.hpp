#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "tests/support/http_client.hpp"

namespace parley::testing {

// The native REST API from a test's side: JSON in and out over HttpClient,
// with the key sent as a bearer when one is set.
class ApiClient {
public:
    explicit ApiClient(std::uint16_t port, std::string key = {}) : http_(port), key_(std::move(key)) {}

    struct Reply {
        unsigned status = 0;
        boost::json::value body;  // null when the body is empty
        HttpResponse raw;
    };

    Reply call(std::string_view method, std::string_view target, std::string_view body = {});
    SseCapture stream(std::string_view method, std::string_view target, std::string_view body = {},
                      HttpHeaders headers = {});

    // POST /v1/sessions for `agent`; REQUIREs 201 and returns the id.
    std::string create_session(std::string_view agent);

    [[nodiscard]] HttpHeaders headers() const;
    HttpClient& http() { return http_; }

private:
    HttpClient http_;
    std::string key_;
};

// The JSON of each event, in order.
[[nodiscard]] std::vector<boost::json::object> event_payloads(const SseCapture& capture);
[[nodiscard]] std::vector<std::string> event_types(const SseCapture& capture);

}  // namespace parley::testing
