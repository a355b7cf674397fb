#include "core/tools/todo_list.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace parley::core {
namespace {

// The string member `key` of todos[index], or null with `error` set.
const boost::json::string* string_field(const boost::json::object& item, std::string_view key, std::size_t index,
                                        std::string& error) {
    const auto* found = item.if_contains(key);
    if (found == nullptr) {
        error = fmt::format("todos[{}]: \"{}\" is missing", index, key);
        return nullptr;
    }
    if (!found->is_string()) {
        error = fmt::format("todos[{}].{}: expected a string", index, key);
        return nullptr;
    }
    return &found->get_string();
}

}  // namespace

TodoList::TodoList(Items items) : items_(std::move(items)) {}

boost::system::result<TodoList::Items, std::string> TodoList::parse(const boost::json::value& todos) {
    const auto* array = todos.if_array();
    if (array == nullptr) {
        return std::string("todos: expected an array of {\"id\",\"content\",\"status\"} objects");
    }
    if (array->size() > kMaxItems) {
        return fmt::format("todos: {} items given, at most {} allowed", array->size(), kMaxItems);
    }
    Items items;
    items.reserve(array->size());
    std::set<std::string, std::less<>> ids;
    for (std::size_t index = 0; index < array->size(); ++index) {
        const auto* item = (*array)[index].if_object();
        if (item == nullptr) {
            return fmt::format("todos[{}]: expected an object with \"id\", \"content\" and \"status\"", index);
        }
        std::string error;
        const auto* id = string_field(*item, "id", index, error);
        if (id == nullptr) {
            return error;
        }
        if (id->empty() || id->size() > kMaxIdBytes) {
            return fmt::format("todos[{}].id: expected a non-empty string of at most {} bytes", index, kMaxIdBytes);
        }
        if (!ids.emplace(*id).second) {
            return fmt::format("todos[{}].id: \"{}\" appears more than once", index, std::string_view(*id));
        }
        const auto* content = string_field(*item, "content", index, error);
        if (content == nullptr) {
            return error;
        }
        if (content->size() > kMaxContentBytes) {
            return fmt::format("todos[{}].content: longer than {} bytes", index, kMaxContentBytes);
        }
        const auto* status_text = string_field(*item, "status", index, error);
        if (status_text == nullptr) {
            return error;
        }
        const auto status = storage::parse_todo_status(*status_text);
        if (!status) {
            return fmt::format("todos[{}].status: \"{}\" is not one of pending, in_progress, completed, cancelled",
                               index, std::string_view(*status_text));
        }
        items.push_back(storage::Todo{std::string(*id), std::string(*content), *status});
    }
    return items;
}

TodoList::Change TodoList::replace(Items items) {
    const std::scoped_lock lock(mutex_);
    Items previous = std::exchange(items_, std::move(items));
    return Change{items_, std::move(previous), ++revision_};
}

boost::system::result<TodoList::Change, std::string> TodoList::merge(Items items) {
    const std::scoped_lock lock(mutex_);
    Items merged = items_;
    for (auto& item : items) {
        auto existing = std::find_if(merged.begin(), merged.end(),
                                     [&item](const storage::Todo& todo) { return todo.id == item.id; });
        if (existing != merged.end()) {
            *existing = std::move(item);
        } else {
            merged.push_back(std::move(item));
        }
    }
    if (merged.size() > kMaxItems) {
        return fmt::format("todos: the merged list would hold {} items, at most {} allowed", merged.size(), kMaxItems);
    }
    Items previous = std::exchange(items_, std::move(merged));
    return Change{items_, std::move(previous), ++revision_};
}

bool TodoList::restore(Items previous, std::uint64_t revision) {
    const std::scoped_lock lock(mutex_);
    if (revision_ != revision) {
        return false;
    }
    items_ = std::move(previous);
    ++revision_;
    return true;
}

TodoList::Items TodoList::snapshot() const {
    const std::scoped_lock lock(mutex_);
    return items_;
}

std::uint64_t TodoList::revision() const {
    const std::scoped_lock lock(mutex_);
    return revision_;
}

boost::json::array TodoList::to_json(const Items& items) {
    boost::json::array array;
    array.reserve(items.size());
    for (const auto& item : items) {
        array.push_back(boost::json::object{
            {"id", item.id}, {"content", item.content}, {"status", storage::to_string(item.status)}});
    }
    return array;
}

boost::json::object TodoList::to_tool_json(const Items& items) {
    return boost::json::object{{"todos", to_json(items)}};
}

}  // namespace parley::core
