#include "tests/integration/api_client.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

namespace parley::testing {

HttpHeaders ApiClient::headers() const {
    HttpHeaders headers;
    if (!key_.empty()) {
        headers["Authorization"] = "Bearer " + key_;
    }
    return headers;
}

ApiClient::Reply ApiClient::call(std::string_view method, std::string_view target, std::string_view body) {
    Reply reply;
    reply.raw = http_.request(method, target, body, headers());
    reply.status = reply.raw.status;
    if (!reply.raw.body.empty()) {
        boost::system::error_code ec;
        reply.body = boost::json::parse(reply.raw.body, ec);
        INFO(reply.raw.body);
        REQUIRE_FALSE(ec);
    }
    return reply;
}

SseCapture ApiClient::stream(std::string_view method, std::string_view target, std::string_view body,
                             HttpHeaders extra) {
    auto all = headers();
    all.merge(extra);
    return http_.stream(method, target, body, all);
}

std::string ApiClient::create_session(std::string_view agent) {
    const auto body = std::string(R"({"agent":")") + std::string(agent) + R"("})";
    const auto reply = call("POST", "/v1/sessions", body);
    INFO(reply.raw.body);
    REQUIRE(reply.status == 201);
    return std::string(reply.body.at("id").as_string());
}

std::vector<boost::json::object> event_payloads(const SseCapture& capture) {
    std::vector<boost::json::object> payloads;
    for (const auto& event : capture.events) {
        payloads.push_back(boost::json::parse(event.data).as_object());
    }
    return payloads;
}

std::vector<std::string> event_types(const SseCapture& capture) {
    std::vector<std::string> types;
    for (const auto& event : capture.events) {
        types.push_back(event.event);
    }
    return types;
}

}  // namespace parley::testing
