#include "core/tools/todo_tool.hpp"

#include <utility>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/tools/todo_list.hpp"
#include "storage/store.hpp"

namespace parley::core {
namespace {

constexpr std::string_view kDescription =
    "Keep a todo list for this conversation to plan and track multi-step work. "
    "Call without `todos` to read the list. With `todos` and merge=false (default) the given list replaces "
    "the whole list; with merge=true items update by id and new ids are appended. "
    "Returns the whole list after the call.";

constexpr std::string_view kParameters = R"({
  "type": "object",
  "properties": {
    "todos": {
      "type": "array",
      "description": "Todo items; omit to read the list",
      "items": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "Stable identifier of the item"},
          "content": {"type": "string", "description": "What is to be done"},
          "status": {"type": "string", "enum": ["pending", "in_progress", "completed", "cancelled"]}
        },
        "required": ["id", "content", "status"]
      }
    },
    "merge": {
      "type": "boolean",
      "description": "true: update items by id and append new ones; false (default): replace the list"
    }
  }
})";

ToolOutput error(std::string message) {
    return ToolOutput{std::move(message), true};
}

ToolOutput list_output(const TodoList::Items& items) {
    return ToolOutput{boost::json::serialize(TodoList::to_tool_json(items)), false};
}

}  // namespace

TodoTool::TodoTool()
    : spec_{std::string(kName), std::string(kDescription), boost::json::parse(kParameters).as_object()} {}

boost::asio::awaitable<ToolOutput> TodoTool::invoke(ToolCallContext context, boost::json::object arguments) {
    if (!context.todos) {
        co_return error("the todo list is not available in this conversation");
    }
    bool merge = false;
    if (const auto* flag = arguments.if_contains("merge"); flag != nullptr && !flag->is_null()) {
        if (!flag->is_bool()) {
            co_return error("merge: expected true or false");
        }
        merge = flag->get_bool();
    }
    const auto* todos = arguments.if_contains("todos");
    if (todos == nullptr || todos->is_null()) {
        co_return list_output(context.todos->snapshot());
    }
    auto items = TodoList::parse(*todos);
    if (!items) {
        co_return error(std::move(items.error()));
    }
    TodoList::Change change;
    if (merge) {
        auto merged = context.todos->merge(std::move(*items));
        if (!merged) {
            co_return error(std::move(merged.error()));
        }
        change = std::move(*merged);
    } else {
        change = context.todos->replace(std::move(*items));
    }
    if (context.store != nullptr) {
        auto stored = co_await context.store->replace_todos(context.session_id, change.items);
        if (!stored) {
            context.todos->restore(std::move(change.previous), change.revision);
            co_return error(
                fmt::format("the todo list could not be saved ({}); it is unchanged", stored.error().message()));
        }
    }
    co_return list_output(change.items);
}

}  // namespace parley::core
