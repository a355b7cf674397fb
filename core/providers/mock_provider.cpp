#include "core/providers/mock_provider.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

namespace parley::core {

namespace {

constexpr std::string_view kToolCommand = "/tool ";
constexpr std::string_view kEchoPrefix = "echo: ";
constexpr std::string_view kToolReplyPrefix = "tool said: ";
constexpr std::string_view kWhitespace = " \t\r\n";

std::string_view trim(std::string_view text) {
    const auto begin = text.find_first_not_of(kWhitespace);
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = text.find_last_not_of(kWhitespace);
    return text.substr(begin, end - begin + 1);
}

struct ToolCommand {
    std::string_view name;
    std::string_view arguments;
};

std::optional<ToolCommand> parse_tool_command(std::string_view content) {
    const auto text = trim(content);
    if (!text.starts_with(kToolCommand)) {
        return std::nullopt;
    }
    const auto rest = trim(text.substr(kToolCommand.size()));
    const auto name_end = rest.find_first_of(kWhitespace);
    ToolCommand command{.name = rest.substr(0, name_end), .arguments = {}};
    if (name_end != std::string_view::npos) {
        command.arguments = trim(rest.substr(name_end));
    }
    if (command.name.empty()) {
        return std::nullopt;
    }
    if (command.arguments.empty()) {
        command.arguments = "{}";
    }
    return command;
}

std::uint64_t count_words(const ModelRequest& request) {
    std::uint64_t words = 0;
    for (const auto& message : request.messages) {
        words += MockProvider::split_words(message.content).size();
    }
    return std::max<std::uint64_t>(words, 1);
}

}  // namespace

std::vector<std::string_view> MockProvider::split_words(std::string_view text) {
    std::vector<std::string_view> pieces;
    std::size_t start = 0;
    while (start < text.size()) {
        // A piece: leading whitespace, then the word up to the next whitespace.
        auto word = text.find_first_not_of(kWhitespace, start);
        if (word == std::string_view::npos) {
            if (pieces.empty()) {
                pieces.push_back(text.substr(start));
            } else {
                // Trailing whitespace joins the last piece, so the pieces still add up to the text.
                pieces.back() = text.substr(pieces.back().data() - text.data());
            }
            break;
        }
        auto end = text.find_first_of(kWhitespace, word);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        pieces.push_back(text.substr(start, end - start));
        start = end;
    }
    return pieces;
}

boost::asio::awaitable<ModelOutcome> MockProvider::stream(const ModelRequest& request, ModelEventSink sink) {
    namespace asio = boost::asio;
    ModelOutcome outcome;
    outcome.provider = config_.name;
    outcome.usage.input_tokens = count_words(request);
    const auto call_number = ++calls_;

    std::string reply;
    const ChatMessage* last_user = nullptr;
    for (auto it = request.messages.rbegin(); it != request.messages.rend(); ++it) {
        if (it->role == ChatRole::user) {
            last_user = &*it;
            break;
        }
    }
    if (!request.messages.empty() && request.messages.back().role == ChatRole::tool) {
        reply = std::string(kToolReplyPrefix) + request.messages.back().content;
    } else if (last_user == nullptr) {
        reply = std::string(kEchoPrefix);
    } else if (const auto command = parse_tool_command(last_user->content)) {
        sink(ToolCallStarted{
            .index = 0, .id = "call_mock_" + std::to_string(call_number), .name = std::string(command->name)});
        sink(ToolCallArgumentsDelta{.index = 0, .fragment = std::string(command->arguments)});
        sink(ToolCallFinished{.index = 0});
        outcome.usage.output_tokens = 1;
        sink(UsageReported{outcome.usage});
        outcome.finish_reason = FinishReason::tool_calls;
        co_return outcome;
    } else {
        reply = std::string(kEchoPrefix) + last_user->content;
    }

    const auto pieces = split_words(reply);
    std::optional<asio::steady_timer> timer;
    std::chrono::steady_clock::duration interval{};
    if (config_.tokens_per_second > 0) {
        interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(1.0 / config_.tokens_per_second));
        timer.emplace(co_await asio::this_coro::executor, std::chrono::steady_clock::now());
    }
    bool delivered = false;
    try {
        for (const auto piece : pieces) {
            if (timer) {
                // Paced on an absolute schedule so slow sinks do not add drift.
                timer->expires_at(timer->expiry() + interval);
                auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
                if (ec) {
                    outcome.error = ProviderError{
                        .kind = ProviderErrorKind::cancelled, .message = "cancelled", .after_first_delta = delivered};
                    co_return outcome;
                }
            }
            sink(TextDelta{std::string(piece)});
            delivered = true;
        }
    } catch (const boost::system::system_error&) {
        outcome.error =
            ProviderError{.kind = ProviderErrorKind::cancelled, .message = "cancelled", .after_first_delta = delivered};
        co_return outcome;
    }
    outcome.usage.output_tokens = std::max<std::uint64_t>(pieces.size(), 1);
    sink(UsageReported{outcome.usage});
    outcome.finish_reason = FinishReason::stop;
    co_return outcome;
}

}  // namespace parley::core
