#include "core/net/send_now.hpp"

#include <array>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <catch2/catch.hpp>

namespace asio = boost::asio;
using asio::ip::tcp;
using parley::core::send_now;

namespace {

// A connected pair of loopback sockets.
struct SocketPair {
    asio::io_context io;
    tcp::socket client{io};
    tcp::socket server{io};

    SocketPair() {
        tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
        client.connect(acceptor.local_endpoint());
        acceptor.accept(server);
    }
};

}  // namespace

TEST_CASE("send_now sends every piece of a message that fits, in order", "[net]") {
    SocketPair pair;
    const std::string header = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    const std::string body = "hello";
    const std::array buffers{asio::buffer(header), asio::const_buffer(), asio::buffer(body)};
    boost::system::error_code ec;
    CHECK(send_now(pair.server, buffers, ec) == header.size() + body.size());
    CHECK_FALSE(ec);
    std::string received(header.size() + body.size(), '\0');
    asio::read(pair.client, asio::buffer(received));
    CHECK(received == header + body);
}

TEST_CASE("send_now never waits: a full socket takes part of a message, then nothing", "[net]") {
    SocketPair pair;
    const std::string big(16U * 1024U * 1024U, 'x');  // more than any socket buffer takes at once
    const std::array buffers{asio::buffer(big)};
    boost::system::error_code ec;
    std::size_t total = 0;
    std::size_t sent = 0;
    do {
        sent = send_now(pair.server, buffers, ec);
        total += sent;
    } while (sent > 0 && total < big.size() && !ec);
    CHECK_FALSE(ec);
    CHECK(sent == 0);  // would block: returned at once, nobody reads
    CHECK(total > 0);
    CHECK(total < big.size());
}

TEST_CASE("send_now reports a peer that went away as an error, without SIGPIPE", "[net]") {
    SocketPair pair;
    pair.client.close();
    const std::string bytes(64U * 1024U, 'x');
    const std::array buffers{asio::buffer(bytes)};
    boost::system::error_code ec;
    // The first send may still be accepted; the reset it provokes fails a later one.
    for (int attempt = 0; attempt < 100 && !ec; ++attempt) {
        (void)send_now(pair.server, buffers, ec);
    }
    CHECK(ec);
}
