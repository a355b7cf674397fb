#include "core/context_window.hpp"

#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace parley::core {
namespace {

constexpr std::size_t kBytesPerToken = 4;
constexpr std::size_t kMessageOverheadTokens = 4;

std::vector<ToolCall> parse_tool_calls(const std::optional<std::string>& text) {
    std::vector<ToolCall> calls;
    if (!text) {
        return calls;
    }
    boost::system::error_code ec;
    const auto value = boost::json::parse(*text, ec);
    if (ec || !value.is_array()) {
        return calls;
    }
    for (const auto& item : value.as_array()) {
        if (!item.is_object()) {
            continue;
        }
        const auto& call = item.as_object();
        const auto* id = call.if_contains("id");
        const auto* name = call.if_contains("name");
        const auto* arguments = call.if_contains("arguments");
        if (id == nullptr || name == nullptr || !id->is_string() || !name->is_string()) {
            continue;
        }
        calls.push_back({std::string(id->as_string()), std::string(name->as_string()),
                         arguments == nullptr ? "{}" : boost::json::serialize(*arguments)});
    }
    return calls;
}

ChatMessage to_chat(const storage::Message& message) {
    ChatMessage chat;
    chat.content = message.content;
    switch (message.role) {
        case storage::MessageRole::user: chat.role = ChatRole::user; break;
        case storage::MessageRole::assistant:
            chat.role = ChatRole::assistant;
            chat.tool_calls = parse_tool_calls(message.tool_calls);
            break;
        case storage::MessageRole::tool:
            chat.role = ChatRole::tool;
            chat.tool_call_id = message.tool_call_id.value_or("");
            break;
    }
    return chat;
}

}  // namespace

std::size_t ContextWindow::estimate_tokens(const ChatMessage& message) {
    std::size_t bytes = message.content.size();
    for (const auto& call : message.tool_calls) {
        bytes += call.name.size() + call.arguments_json.size();
    }
    return kMessageOverheadTokens + bytes / kBytesPerToken;
}

std::vector<ChatMessage> ContextWindow::build(const std::vector<storage::Message>& history) const {
    std::set<std::string> answered;
    std::vector<ChatMessage> messages;
    messages.reserve(history.size());
    for (const auto& stored : history) {
        if (stored.role == storage::MessageRole::tool && stored.tool_call_id) {
            answered.insert(*stored.tool_call_id);
        }
    }
    for (const auto& stored : history) {
        if (stored.role == storage::MessageRole::assistant && stored.status != storage::MessageStatus::complete &&
            stored.content.empty()) {
            continue;
        }
        auto chat = to_chat(stored);
        std::erase_if(chat.tool_calls, [&](const ToolCall& call) { return !answered.contains(call.id); });
        if (chat.role == ChatRole::assistant && chat.content.empty() && chat.tool_calls.empty()) {
            continue;
        }
        messages.push_back(std::move(chat));
    }

    // Where each turn starts, then drop whole turns from the front until the rest fits.
    std::vector<std::size_t> turn_starts;
    std::size_t total = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        if (messages[i].role == ChatRole::user) {
            turn_starts.push_back(i);
        }
        total += estimate_tokens(messages[i]);
    }
    std::size_t first_kept = 0;
    for (std::size_t turn = 0; turn + 1 < turn_starts.size() && total > budget_tokens_; ++turn) {
        for (std::size_t i = first_kept; i < turn_starts[turn + 1]; ++i) {
            total -= estimate_tokens(messages[i]);
        }
        first_kept = turn_starts[turn + 1];
    }
    // Whatever precedes the first kept user message (tool results of a dropped turn) goes too.
    if (!turn_starts.empty() && first_kept < turn_starts.front()) {
        first_kept = turn_starts.front();
    }
    messages.erase(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(first_kept));
    return messages;
}

}  // namespace parley::core
