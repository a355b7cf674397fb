#include <string>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "core/net/http_client.hpp"
#include "tests/core/run_io.hpp"
#include "tests/core/tools/local_http_server.hpp"

// HttpRequest::allow_address: the outbound client's own check of the addresses
// it connects to (web_fetch's guard against DNS rebinding).
namespace {

using parley::core::HttpClient;
using parley::core::HttpRequest;
using parley::core::HttpResponse;
using parley::core::HttpResult;
using parley::core::test::LocalHttpServer;
using parley::core::test::LocalReply;
using parley::core::test::LocalRequest;
using parley::core::test::run_io;

HttpRequest get(const std::string& url, bool refuse_loopback) {
    HttpRequest request;
    request.method = boost::beast::http::verb::get;
    request.url = url;
    if (refuse_loopback) {
        request.allow_address = [](const boost::asio::ip::address& address) {
            return !address.is_loopback() &&
                   !(address.is_v6() && address.to_v6().is_v4_mapped() &&
                     boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).is_loopback());
        };
    }
    return request;
}

}  // namespace

TEST_CASE("the http client refuses addresses its request's filter refuses", "[tools][net]") {
    LocalHttpServer server([](const LocalRequest&) { return LocalReply{.body = "ok"}; });
    boost::asio::io_context io;
    HttpClient http(io.get_executor());

    SECTION("an address literal") {
        auto result = run_io(io, http.request(get(server.url("/"), true)));
        REQUIRE(result.has_error());
        CHECK(result.error().address_refused);
        CHECK(server.requests().empty());
    }
    SECTION("a host name resolving to refused addresses") {
        auto result = run_io(io, http.request(get("http://localhost:" + std::to_string(server.port()) + "/", true)));
        REQUIRE(result.has_error());
        CHECK(result.error().address_refused);
        CHECK(server.requests().empty());
    }
    SECTION("a pooled connection to a refused peer is not reused") {
        auto first = run_io(io, http.request(get(server.url("/"), false)));
        REQUIRE(first.has_value());
        CHECK(first->body == "ok");
        CHECK(http.idle_connections(server.url("/")) == 1);
        auto second = run_io(io, http.request(get(server.url("/"), true)));
        REQUIRE(second.has_error());
        CHECK(second.error().address_refused);
        CHECK(server.requests().size() == 1);
    }
    SECTION("an allowed address is fetched") {
        HttpRequest request = get(server.url("/"), false);
        request.allow_address = [](const boost::asio::ip::address&) { return true; };
        auto result = run_io(io, http.request(std::move(request)));
        REQUIRE(result.has_value());
        CHECK(result->body == "ok");
    }
}
