#include "core/tools/todo_tool.hpp"

#include <memory>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "core/tools/todo_list.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/core/run_io.hpp"
#include "tests/storage/temp_dir.hpp"

namespace {

using parley::core::TodoList;
using parley::core::TodoTool;
using parley::core::ToolCallContext;
using parley::core::ToolOutput;
using parley::core::test::run_io;
using parley::storage::TodoStatus;

struct Fixture {
    parley::storage::test::TempDir dir;
    boost::asio::io_context io;
    std::unique_ptr<parley::storage::SqliteStore> store;
    std::string session_id = "ses_todo_test";
    std::shared_ptr<TodoList> todos = std::make_shared<TodoList>();
    TodoTool tool;

    Fixture() {
        parley::storage::Options options;
        options.path = dir.file("parley.db");
        options.batch_max_delay_ms = 1;
        options.read_pool_size = 1;
        store = std::make_unique<parley::storage::SqliteStore>(options);
        parley::storage::Session session;
        session.id = session_id;
        session.tenant = "acme";
        session.agent = "assistant";
        REQUIRE(run_io(io, store->create_session(session)).has_value());
    }

    ToolCallContext context() {
        ToolCallContext context;
        context.session_id = session_id;
        context.tenant = "acme";
        context.todos = todos;
        context.store = store.get();
        return context;
    }

    ToolOutput call(std::string_view arguments) {
        return run_io(io, tool.invoke(context(), boost::json::parse(arguments).as_object()));
    }
};

}  // namespace

TEST_CASE("the todo tool's spec follows the API contract", "[tools]") {
    TodoTool tool;
    CHECK(tool.spec().name == "todo");
    const auto& properties = tool.spec().parameters.at("properties").as_object();
    CHECK(properties.contains("todos"));
    CHECK(properties.at("merge").at("type") == "boolean");
    CHECK(properties.at("todos").at("items").at("properties").at("status").at("enum").as_array().size() == 4);
}

TEST_CASE("the todo tool lists, replaces and merges, persisting every change", "[tools]") {
    Fixture fixture;

    auto listed = fixture.call("{}");
    CHECK_FALSE(listed.is_error);
    CHECK(listed.output == R"({"todos":[]})");

    auto replaced = fixture.call(R"({"todos":[{"id":"1","content":"plan","status":"in_progress"},
                                             {"id":"2","content":"build","status":"pending"}]})");
    CHECK_FALSE(replaced.is_error);
    CHECK(replaced.output == R"({"todos":[{"id":"1","content":"plan","status":"in_progress"},)"
                             R"({"id":"2","content":"build","status":"pending"}]})");
    auto stored = run_io(fixture.io, fixture.store->list_todos(fixture.session_id)).value();
    REQUIRE(stored.size() == 2);
    CHECK(stored[1].content == "build");

    auto merged = fixture.call(R"({"merge":true,"todos":[{"id":"1","content":"plan","status":"completed"},
                                                         {"id":"3","content":"test","status":"pending"}]})");
    CHECK_FALSE(merged.is_error);
    CHECK(merged.output == R"({"todos":[{"id":"1","content":"plan","status":"completed"},)"
                           R"({"id":"2","content":"build","status":"pending"},)"
                           R"({"id":"3","content":"test","status":"pending"}]})");
    stored = run_io(fixture.io, fixture.store->list_todos(fixture.session_id)).value();
    REQUIRE(stored.size() == 3);
    CHECK(stored[0].status == TodoStatus::completed);
    CHECK(stored[2].id == "3");

    CHECK(fixture.call(R"({"todos":null})").output == merged.output);
    CHECK(fixture.todos->snapshot().size() == 3);

    // A fresh list loaded from storage (a new cache entry) sees the same items.
    TodoList reloaded(run_io(fixture.io, fixture.store->list_todos(fixture.session_id)).value());
    CHECK(TodoList::to_tool_json(reloaded.snapshot()) == TodoList::to_tool_json(fixture.todos->snapshot()));
}

TEST_CASE("the todo tool reports bad arguments as errors and changes nothing", "[tools]") {
    Fixture fixture;
    fixture.call(R"({"todos":[{"id":"1","content":"keep","status":"pending"}]})");

    auto bad_merge = fixture.call(R"({"merge":"yes","todos":[]})");
    CHECK(bad_merge.is_error);
    CHECK(bad_merge.output == "merge: expected true or false");

    auto bad_item = fixture.call(R"({"todos":[{"id":"1","content":"x","status":"finished"}]})");
    CHECK(bad_item.is_error);
    CHECK(bad_item.output.find("todos[0].status") != std::string::npos);
    CHECK(fixture.todos->snapshot()[0].content == "keep");
}

TEST_CASE("without a store the todo tool keeps the list in memory; without a list it is an error", "[tools]") {
    boost::asio::io_context io;
    TodoTool tool;
    ToolCallContext context;
    context.todos = std::make_shared<TodoList>();
    auto output = run_io(
        io, tool.invoke(context,
                        boost::json::parse(R"({"todos":[{"id":"a","content":"x","status":"pending"}]})").as_object()));
    CHECK_FALSE(output.is_error);
    CHECK(context.todos->snapshot().size() == 1);

    auto missing = run_io(io, tool.invoke(ToolCallContext{}, boost::json::object{}));
    CHECK(missing.is_error);
}

TEST_CASE("a storage failure is an error result and undoes the change", "[tools]") {
    Fixture fixture;
    fixture.call(R"({"todos":[{"id":"1","content":"keep","status":"pending"}]})");
    fixture.store->close();
    auto failed = fixture.call(R"({"todos":[{"id":"2","content":"lost","status":"pending"}]})");
    CHECK(failed.is_error);
    CHECK(failed.output.find("could not be saved") != std::string::npos);
    REQUIRE(fixture.todos->snapshot().size() == 1);
    CHECK(fixture.todos->snapshot()[0].content == "keep");
}
