#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/providers/model_types.hpp"
#include "core/tools/tool.hpp"

namespace parley::core {

// The built-in `todo` tool (API.md, GET /v1/sessions/{id}/todos): without
// `todos` it returns the list; `merge:false` (default) replaces it; `merge:true`
// updates items by id and appends new ids. The change is applied to the
// context's TodoList, then persisted with Store::replace_todos (awaited); a
// storage failure undoes the change and is an is_error result. The output is
// the JSON text {"todos":[...]} of the whole list after the call.
class TodoTool final : public Tool {
public:
    static constexpr std::string_view kName = "todo";

    TodoTool();

    [[nodiscard]] const ToolSpec& spec() const override { return spec_; }
    boost::asio::awaitable<ToolOutput> invoke(ToolCallContext context, boost::json::object arguments) override;

private:
    ToolSpec spec_;
};

}  // namespace parley::core
