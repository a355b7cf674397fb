#include "core/net/wire_message.hpp"

#include <sstream>
#include <string>

#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

namespace http = boost::beast::http;
using parley::core::WireMessage;

namespace {

template <bool IsRequest>
std::string written_by_beast(const http::message<IsRequest, http::string_body>& message) {
    std::ostringstream out;
    out << message;
    return out.str();
}

template <bool IsRequest>
std::string wire_bytes(const WireMessage<IsRequest>& wire) {
    std::string bytes;
    for (const auto& buffer : wire.buffers()) {
        bytes.append(static_cast<const char*>(buffer.data()), buffer.size());
    }
    return bytes;
}

}  // namespace

TEST_CASE("wire message: a request is the bytes Beast's serializer writes", "[net]") {
    http::request<http::string_body> request(http::verb::post, "/v1/chat/completions?x=1", 11);
    request.set(http::field::host, "127.0.0.1:8080");
    request.set(http::field::authorization, "Bearer sk-test");
    request.set("X-Custom", "a value");
    request.body() = R"({"model":"m","messages":[]})";
    request.prepare_payload();
    const WireMessage wire(request);
    CHECK(wire_bytes(wire) == written_by_beast(request));
    CHECK(wire.size() == written_by_beast(request).size());
}

TEST_CASE("wire message: a response keeps its status line, reason and fields", "[net]") {
    SECTION("the status's standard reason") {
        http::response<http::string_body> response(http::status::not_found, 11);
        response.set(http::field::content_type, "application/json");
        response.body() = R"({"error":{}})";
        response.prepare_payload();
        CHECK(wire_bytes(WireMessage(response)) == written_by_beast(response));
    }
    SECTION("a custom reason, HTTP/1.0 and no body") {
        http::response<http::string_body> response(http::status::no_content, 10);
        response.reason("Nothing Here");
        response.keep_alive(true);
        response.prepare_payload();
        const WireMessage wire(response);
        CHECK(wire_bytes(wire) == written_by_beast(response));
        CHECK(wire_bytes(wire).starts_with("HTTP/1.0 204 Nothing Here\r\n"));
    }
}
