#include "tests/core/tools/local_http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace parley::core::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

LocalHttpServer::LocalHttpServer(Handler handler)
    : handler_(std::move(handler)), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

LocalHttpServer::~LocalHttpServer() {
    io_.stop();
    thread_.join();
}

std::string LocalHttpServer::url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<LocalRequest> LocalHttpServer::requests() const {
    const std::scoped_lock lock(mutex_);
    return requests_;
}

asio::awaitable<void> LocalHttpServer::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
        if (ec) {
            co_return;
        }
        asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> LocalHttpServer::serve(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> request;
        auto [read_ec, read_bytes] = co_await http::async_read(socket, buffer, request, kAsTuple);
        if (read_ec) {
            co_return;
        }
        LocalRequest seen{std::string(request.method_string()), std::string(request.target()),
                          std::string(request[http::field::content_type]), request.body()};
        {
            const std::scoped_lock lock(mutex_);
            requests_.push_back(seen);
        }
        const LocalReply reply = handler_(seen);
        if (reply.delay.count() > 0) {
            asio::steady_timer timer(socket.get_executor(), reply.delay);
            co_await timer.async_wait(kAsTuple);
        }
        http::response<http::string_body> response(static_cast<http::status>(reply.status), request.version());
        response.set(http::field::content_type, reply.content_type);
        response.body() = reply.body;
        if (reply.chunked) {
            response.chunked(true);
        } else {
            response.prepare_payload();
        }
        response.keep_alive(request.keep_alive());
        auto [write_ec, written] = co_await http::async_write(socket, response, kAsTuple);
        if (write_ec || !request.keep_alive()) {
            co_return;
        }
    }
}

}  // namespace parley::core::test
