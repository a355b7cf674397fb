#pragma once

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>

namespace parley::core {

// An io_context that exactly one thread runs (parleyd's I/O threads). Its own
// executor already runs handlers one at a time, so work that must not run
// concurrently (a session's turns) needs no strand on it: a strand would add a
// queue, a lock and a dispatch to every completion (AgentState::serial_executor).
// A context that several threads run must stay a plain io_context.
class SingleThreadContext : public boost::asio::io_context {
public:
    // The concurrency hint lets Asio queue a handler posted from the context's own thread without its lock.
    SingleThreadContext() : boost::asio::io_context(1) { boost::asio::make_service<Marker>(*this); }

    // Whether `context` is a SingleThreadContext.
    [[nodiscard]] static bool is(boost::asio::execution_context& context) {
        return boost::asio::has_service<Marker>(context);
    }

private:
    // io_context is not polymorphic: a service registered at construction says what the context is.
    class Marker : public boost::asio::execution_context::service {
    public:
        static inline boost::asio::execution_context::id id;
        explicit Marker(boost::asio::execution_context& context) : service(context) {}

    private:
        void shutdown() override {}
    };
};

}  // namespace parley::core
