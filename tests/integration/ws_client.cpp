#include "tests/integration/ws_client.hpp"

#include <stdexcept>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace parley::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = boost::beast::websocket;
using asio::ip::tcp;

WsClient::WsClient(std::uint16_t port, Options options) : ws_(io_) {
    auto& socket = ws_.next_layer();
    socket.open(tcp::v4());
    if (options.receive_buffer > 0) {
        socket.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer));
    }
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.set_option(ws::stream_base::decorator([headers = options.headers](ws::request_type& request) {
        for (const auto& [name, value] : headers) {
            request.set(name, value);
        }
    }));
    ws::response_type response;
    beast::error_code ec;
    ws_.handshake(response, "127.0.0.1", options.target, ec);
    status_ = response.result_int();
    if (ec && ec != ws::error::upgrade_declined) {
        throw std::runtime_error("websocket handshake failed: " + ec.message());
    }
}

void WsClient::send(std::string_view text) {
    ws_.text(true);
    ws_.write(asio::buffer(text.data(), text.size()));
}

void WsClient::send(const boost::json::object& frame) {
    send(boost::json::serialize(frame));
}

bool WsClient::try_send(std::string_view text) {
    ws_.text(true);
    beast::error_code ec;
    ws_.write(asio::buffer(text.data(), text.size()), ec);
    return !ec;
}

std::optional<boost::json::object> WsClient::read() {
    buffer_.clear();
    beast::error_code ec;
    ws_.read(buffer_, ec);
    if (ec == ws::error::closed) {
        close_code_ = static_cast<std::uint16_t>(ws_.reason().code);
        return std::nullopt;
    }
    if (ec) {
        return std::nullopt;
    }
    return boost::json::parse(beast::buffers_to_string(buffer_.data())).as_object();
}

boost::json::object WsClient::read_until(std::string_view type, std::vector<boost::json::object>* skipped) {
    for (;;) {
        auto frame = read();
        if (!frame) {
            throw std::runtime_error("connection ended while waiting for a '" + std::string(type) + "' frame");
        }
        if (frame->at("type").as_string() == type) {
            return std::move(*frame);
        }
        if (skipped) {
            skipped->push_back(std::move(*frame));
        }
    }
}

std::vector<boost::json::object> WsClient::sync() {
    const auto ref = "sync-" + std::to_string(next_ref_++);
    send(boost::json::object{{"type", "ping"}, {"ref", ref}});
    std::vector<boost::json::object> before;
    for (;;) {
        auto pong = read_until("pong", &before);
        const auto* pong_ref = pong.if_contains("ref");
        if (pong_ref != nullptr && pong_ref->is_string() && pong_ref->as_string() == ref) {
            return before;
        }
    }
}

std::uint16_t WsClient::wait_for_close() {
    for (;;) {
        buffer_.clear();
        beast::error_code ec;
        ws_.read(buffer_, ec);
        if (ec == ws::error::closed) {
            close_code_ = static_cast<std::uint16_t>(ws_.reason().code);
            return close_code_;
        }
        if (ec) {
            return 0;
        }
    }
}

}  // namespace parley::testing
