#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>

namespace parley::testing {

// A small blocking WebSocket client (Beast) for integration tests. Reads
// block (Asio's blocking reads wait out SO_RCVTIMEO): ctest's timeout bounds
// a test whose frame never comes.
class WsClient {
public:
    struct Options {
        std::string target = "/v1/ws";
        std::map<std::string, std::string> headers;
        int receive_buffer = 0;  // SO_RCVBUF when not 0: a small window makes the server block sooner
    };

    explicit WsClient(std::uint16_t port, Options options);
    explicit WsClient(std::uint16_t port) : WsClient(port, Options{}) {}

    // The handshake's HTTP status: 101 when upgraded.
    [[nodiscard]] unsigned status() const { return status_; }
    [[nodiscard]] bool is_open() const { return ws_.is_open(); }

    void send(std::string_view text);
    void send(const boost::json::object& frame);
    // True when the whole message was written (the server may close first).
    bool try_send(std::string_view text);

    // The next text frame as JSON; nullopt when the connection closed (see close_code).
    std::optional<boost::json::object> read();
    // Reads until a frame of `type` arrives (collecting the others in `skipped`).
    boost::json::object read_until(std::string_view type, std::vector<boost::json::object>* skipped = nullptr);
    // Sends a ping with a fresh ref and returns every frame that came before its pong.
    std::vector<boost::json::object> sync();

    // The close code the server sent (0 when none arrived).
    [[nodiscard]] std::uint16_t close_code() const { return close_code_; }
    // Reads until the server closes; its close code, or 0 when the connection dropped without one.
    std::uint16_t wait_for_close();

    // The raw socket, to stop reading (flow control) in tests.
    boost::asio::ip::tcp::socket& socket() { return ws_.next_layer(); }

private:
    boost::asio::io_context io_;
    boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
    boost::beast::flat_buffer buffer_;
    unsigned status_ = 0;
    std::uint16_t close_code_ = 0;
    unsigned next_ref_ = 1;
};

}  // namespace parley::testing
