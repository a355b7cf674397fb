#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/providers/model_types.hpp"

namespace parley::storage {
class Store;
}  // namespace parley::storage

namespace parley::core {

class TodoList;

// What a tool call produced: the text the model sees next (and tool.result carries).
struct ToolOutput {
    std::string output;
    bool is_error = false;
};

// Where a call happens: tools that keep per-session state (todo) find it here.
struct ToolCallContext {
    std::string session_id;
    std::string tenant;
    // The session's todo list (the todo tool's state, held by the cached agent);
    // null where a call has no session: the todo tool then answers is_error.
    std::shared_ptr<TodoList> todos{};
    // Where the todo tool persists the list; null keeps it in memory only
    // (a stateless chat completion).
    storage::Store* store = nullptr;
};

// One tool an agent may call. invoke() never throws for bad input or a failed
// call: it returns is_error with a message the model can act on. It is
// cancellable by Asio cancellation (an interrupt stops a running tool).
class Tool {
public:
    virtual ~Tool() = default;
    [[nodiscard]] virtual const ToolSpec& spec() const = 0;
    virtual boost::asio::awaitable<ToolOutput> invoke(ToolCallContext context, boost::json::object arguments) = 0;
};

}  // namespace parley::core
