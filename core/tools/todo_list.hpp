#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include "storage/records.hpp"

namespace parley::core {

// A session's todo list as its cached agent holds it: loaded once per cache
// entry from Store::list_todos (never rebuilt from the message history) and
// changed only by the todo tool.
//
// Thread-safety: changes come from the session's executor, one tool call at a
// time; snapshot() may be called from any thread (GET /todos). A mutex guards
// the items; it is never held across a co_await (no member is a coroutine).
class TodoList {
public:
    using Items = std::vector<storage::Todo>;

    // The list after a change, the list before it, and the revision the change produced.
    struct Change {
        Items items;
        Items previous;
        std::uint64_t revision = 0;
    };

    static constexpr std::size_t kMaxItems = 256;
    static constexpr std::size_t kMaxIdBytes = 128;
    static constexpr std::size_t kMaxContentBytes = 4096;

    TodoList() = default;
    explicit TodoList(Items items);

    // Validates the `todos` argument of the todo tool: an array of objects, each
    // with a non-empty string id, a string content and a status among pending,
    // in_progress, completed, cancelled; ids unique; within the limits above.
    // The error is a message for the model, naming the offending item.
    [[nodiscard]] static boost::system::result<Items, std::string> parse(const boost::json::value& todos);

    // The given items become the list.
    Change replace(Items items);
    // Items whose id is on the list update it in place; new ids append in the given
    // order. Fails (leaving the list alone) when the result would exceed kMaxItems.
    boost::system::result<Change, std::string> merge(Items items);
    // Undoes a change whose persistence failed: restores `previous` unless
    // another change came after `revision`. Returns whether it restored.
    bool restore(Items previous, std::uint64_t revision);

    [[nodiscard]] Items snapshot() const;
    [[nodiscard]] std::uint64_t revision() const;

    // [{"id","content","status"}, ...]
    [[nodiscard]] static boost::json::array to_json(const Items& items);
    // {"todos":[...]}: the todo tool's output.
    [[nodiscard]] static boost::json::object to_tool_json(const Items& items);

private:
    mutable std::mutex mutex_;
    Items items_;
    std::uint64_t revision_ = 0;
};

}  // namespace parley::core
