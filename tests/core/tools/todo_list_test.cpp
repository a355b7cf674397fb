#include "core/tools/todo_list.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace {

using parley::core::TodoList;
using parley::storage::Todo;
using parley::storage::TodoStatus;

TodoList::Items parse_ok(std::string_view json) {
    auto parsed = TodoList::parse(boost::json::parse(json));
    REQUIRE(parsed.has_value());
    return *parsed;
}

std::string parse_error(std::string_view json) {
    auto parsed = TodoList::parse(boost::json::parse(json));
    REQUIRE_FALSE(parsed.has_value());
    return parsed.error();
}

}  // namespace

TEST_CASE("a todo list starts from the loaded items and renders them", "[tools]") {
    TodoList list({Todo{"1", "write tests", TodoStatus::in_progress}, Todo{"2", "ship", TodoStatus::pending}});
    CHECK(list.snapshot().size() == 2);
    CHECK(boost::json::serialize(TodoList::to_tool_json(list.snapshot())) ==
          R"({"todos":[{"id":"1","content":"write tests","status":"in_progress"},)"
          R"({"id":"2","content":"ship","status":"pending"}]})");
    CHECK(boost::json::serialize(TodoList::to_json({})) == "[]");
}

TEST_CASE("replace makes the given items the whole list", "[tools]") {
    TodoList list({Todo{"1", "old", TodoStatus::pending}});
    const auto change = list.replace(parse_ok(R"([{"id":"a","content":"new","status":"completed"}])"));
    REQUIRE(change.items.size() == 1);
    CHECK(change.items[0].id == "a");
    CHECK(change.items[0].status == TodoStatus::completed);
    CHECK(change.previous.size() == 1);
    CHECK(list.snapshot().size() == 1);
    CHECK(list.snapshot()[0].content == "new");
    CHECK(list.replace({}).items.empty());
}

TEST_CASE("merge updates items by id in place and appends new ids in order", "[tools]") {
    TodoList list({Todo{"1", "one", TodoStatus::pending}, Todo{"2", "two", TodoStatus::pending}});
    const auto change = list.merge(parse_ok(R"([{"id":"3","content":"three","status":"pending"},
                                                {"id":"1","content":"one, done","status":"completed"},
                                                {"id":"4","content":"four","status":"cancelled"}])"));
    REQUIRE(change.has_value());
    const auto& items = change->items;
    REQUIRE(items.size() == 4);
    CHECK(items[0].id == "1");
    CHECK(items[0].content == "one, done");
    CHECK(items[0].status == TodoStatus::completed);
    CHECK(items[1].id == "2");
    CHECK(items[2].id == "3");
    CHECK(items[3].id == "4");
    CHECK(items[3].status == TodoStatus::cancelled);
}

TEST_CASE("invalid todo items are refused with a message naming the item", "[tools]") {
    CHECK(parse_error(R"({"id":"1"})").find("expected an array") != std::string::npos);
    CHECK(parse_error(R"([1])") == R"(todos[0]: expected an object with "id", "content" and "status")");
    CHECK(parse_error(R"([{"content":"x","status":"pending"}])") == R"(todos[0]: "id" is missing)");
    CHECK(parse_error(R"([{"id":7,"content":"x","status":"pending"}])") == "todos[0].id: expected a string");
    CHECK(parse_error(R"([{"id":"","content":"x","status":"pending"}])").find("todos[0].id: expected a non-empty") ==
          0);
    CHECK(parse_error(R"([{"id":"1","status":"pending"}])") == R"(todos[0]: "content" is missing)");
    CHECK(parse_error(R"([{"id":"1","content":"x","status":"pending"},{"id":"2","content":"y","status":"done"}])") ==
          R"(todos[1].status: "done" is not one of pending, in_progress, completed, cancelled)");
    CHECK(parse_error(R"([{"id":"1","content":"x","status":"pending"},{"id":"1","content":"y","status":"pending"}])") ==
          R"(todos[1].id: "1" appears more than once)");
    CHECK(parse_error(R"([{"id":"1","content":"x","status":null}])") == "todos[0].status: expected a string");

    boost::json::array many;
    for (std::size_t i = 0; i <= TodoList::kMaxItems; ++i) {
        many.push_back(boost::json::object{{"id", std::to_string(i)}, {"content", "x"}, {"status", "pending"}});
    }
    CHECK(TodoList::parse(many).error().find("at most 256") != std::string::npos);
}

TEST_CASE("a merge past the item limit leaves the list alone", "[tools]") {
    TodoList::Items full;
    for (std::size_t i = 0; i < TodoList::kMaxItems; ++i) {
        full.push_back(Todo{std::to_string(i), "x", TodoStatus::pending});
    }
    TodoList list(full);
    const auto change = list.merge({Todo{"extra", "y", TodoStatus::pending}});
    REQUIRE_FALSE(change.has_value());
    CHECK(list.snapshot().size() == TodoList::kMaxItems);
}

TEST_CASE("restore undoes a change only when nothing came after it", "[tools]") {
    TodoList list({Todo{"1", "one", TodoStatus::pending}});
    auto first = list.replace({Todo{"2", "two", TodoStatus::pending}});
    CHECK(list.restore(first.previous, first.revision));
    CHECK(list.snapshot()[0].id == "1");

    auto second = list.replace({Todo{"3", "three", TodoStatus::pending}});
    list.replace({Todo{"4", "four", TodoStatus::pending}});
    CHECK_FALSE(list.restore(second.previous, second.revision));
    CHECK(list.snapshot()[0].id == "4");
}
