#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "tests/support/fake_model_state.hpp"

namespace parley::testing {

// What every connection of one fake model server shares.
struct FakeModelSite {
    std::shared_ptr<FakeModelState> state;
    std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
    std::vector<std::string> models;                 // GET /v1/models
};

// Serves one accepted connection (TLS handshake first when the site has TLS) until the
// client leaves, a script drops it, or the io_context stops. Never throws.
[[nodiscard]] boost::asio::awaitable<void> serve_fake_model_connection(boost::asio::ip::tcp::socket socket,
                                                                       std::shared_ptr<const FakeModelSite> site);

}  // namespace parley::testing
