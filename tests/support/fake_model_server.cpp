#include "tests/support/fake_model_server.hpp"

#include <exception>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

[[nodiscard]] std::shared_ptr<asio::ssl::context> make_tls_context(const std::optional<TlsIdentity>& identity) {
    if (!identity) {
        return nullptr;
    }
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    context->use_certificate_chain(asio::buffer(identity->certificate_chain_pem));
    context->use_private_key(asio::buffer(identity->private_key_pem), asio::ssl::context::pem);
    return context;
}

void report_failure(const std::exception_ptr& failure) {
    if (!failure) {
        return;
    }
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& error) {
        spdlog::warn("fake model server: {}", error.what());
    }
}

}  // namespace

FakeModelServer::FakeModelServer(FakeModelServerOptions options)
    : options_(std::move(options)),
      state_(std::make_shared<FakeModelState>()),
      io_context_(std::make_unique<asio::io_context>(static_cast<int>(std::max<std::size_t>(options_.threads, 1)))) {
    site_ =
        std::make_shared<const FakeModelSite>(FakeModelSite{state_, make_tls_context(options_.tls), options_.models});

    // Bound and listening before the constructor returns: port() is real and connections queue.
    const tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
    acceptor_ = std::make_unique<tcp::acceptor>(*io_context_);
    acceptor_->open(endpoint.protocol());
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    acceptor_->bind(endpoint);
    acceptor_->listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_->local_endpoint().port();

    asio::co_spawn(asio::make_strand(*io_context_), accept_loop(), report_failure);
    for (std::size_t i = 0; i < std::max<std::size_t>(options_.threads, 1); ++i) {
        threads_.emplace_back([context = io_context_.get()] { context->run(); });
    }
}

FakeModelServer::~FakeModelServer() {
    stop();
}

std::string FakeModelServer::base_url() const {
    return fmt::format("{}://{}:{}", options_.tls ? "https" : "http", options_.host, port_);
}

void FakeModelServer::reset() {
    state_->clear_scripts();
    state_->clear_requests();
}

void FakeModelServer::stop() {
    if (!io_context_) {
        return;
    }
    io_context_->stop();
    for (auto& thread : threads_) {
        thread.join();
    }
    threads_.clear();
    // Destroying the io_context destroys every suspended connection coroutine, closing its socket:
    // clients see the connection end.
    acceptor_.reset();
    io_context_.reset();
}

asio::awaitable<void> FakeModelServer::accept_loop() {
    for (;;) {
        auto strand = asio::make_strand(*io_context_);
        tcp::socket socket(strand);
        const auto [error] = co_await acceptor_->async_accept(socket, asio::as_tuple(asio::use_awaitable));
        if (error == asio::error::operation_aborted || !acceptor_->is_open()) {
            co_return;
        }
        if (error) {
            // Transient (e.g. out of descriptors): keep listening.
            spdlog::warn("fake model server: accept failed: {}", error.message());
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        asio::co_spawn(strand, serve_fake_model_connection(std::move(socket), site_), report_failure);
    }
}

}  // namespace parley::testing
