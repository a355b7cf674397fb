#pragma once

#include <functional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/providers/model_types.hpp"

namespace parley::core {

// Receives each event as it is decoded, on the caller's executor. Called
// synchronously: it must not block (the agent loop publishes to the hub).
using ModelEventSink = std::function<void(ModelEvent&&)>;

// One configured model provider. Streams one model call; cancellable by Asio
// cancellation (the bound cancellation slot), which closes the upstream socket.
class Provider {
public:
    virtual ~Provider() = default;

    [[nodiscard]] virtual std::string_view name() const = 0;

    virtual boost::asio::awaitable<ModelOutcome> stream(const ModelRequest& request, ModelEventSink sink) = 0;
};

}  // namespace parley::core
