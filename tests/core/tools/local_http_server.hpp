#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace parley::core::test {

// What the test server saw.
struct LocalRequest {
    std::string method;
    std::string target;
    std::string content_type;
    std::string body;
};

// How it answers.
struct LocalReply {
    unsigned status = 200;
    std::string content_type = "text/plain";
    std::string body;
    std::chrono::milliseconds delay{0};  // before the answer is sent
    bool chunked = false;                // no Content-Length: chunked transfer encoding
};

// A tiny HTTP/1.1 server for tool tests: listens on 127.0.0.1, port 0, on its
// own thread; answers every request with the handler's reply.
class LocalHttpServer {
public:
    using Handler = std::function<LocalReply(const LocalRequest&)>;

    explicit LocalHttpServer(Handler handler);
    ~LocalHttpServer();
    LocalHttpServer(const LocalHttpServer&) = delete;
    LocalHttpServer& operator=(const LocalHttpServer&) = delete;
    LocalHttpServer(LocalHttpServer&&) = delete;
    LocalHttpServer& operator=(LocalHttpServer&&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    // "http://127.0.0.1:PORT" followed by path.
    [[nodiscard]] std::string url(std::string_view path = "/") const;
    [[nodiscard]] std::vector<LocalRequest> requests() const;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

    Handler handler_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    mutable std::mutex mutex_;
    std::vector<LocalRequest> requests_;
    std::thread thread_;
};

}  // namespace parley::core::test
