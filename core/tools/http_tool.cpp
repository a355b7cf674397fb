#include "core/tools/http_tool.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include <fmt/format.h>
#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include "core/tools/tool_text.hpp"

namespace parley::core {
namespace {

std::optional<std::size_t> content_length(const boost::beast::http::fields& headers) {
    const auto found = headers.find(boost::beast::http::field::content_length);
    if (found == headers.end()) {
        return std::nullopt;
    }
    const auto text = found->value();
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

HttpTool::HttpTool(ToolConfig config, HttpClient& http)
    : config_(std::move(config)), http_(http), spec_{config_.name, config_.description, config_.parameters} {}

std::string HttpTool::describe(const HttpError& error, std::chrono::seconds timeout) {
    switch (error.kind) {
        case HttpErrorKind::timeout:
            return fmt::format("the request timed out (limit {} s): {}", timeout.count(), error.message);
        case HttpErrorKind::cancelled: return "the request was cancelled";
        case HttpErrorKind::client:
        case HttpErrorKind::server: {
            std::string text = fmt::format("the server answered HTTP {}", error.status);
            if (!error.body_excerpt.empty()) {
                text += ": " + ToolText::sanitize_utf8(error.body_excerpt);
            }
            return text;
        }
        case HttpErrorKind::network: break;
    }
    return fmt::format("the request failed: {}", error.message);
}

boost::asio::awaitable<ToolOutput> HttpTool::invoke(ToolCallContext /*context*/, boost::json::object arguments) {
    const std::chrono::seconds timeout{config_.timeout_seconds};
    HttpRequest request;
    request.method = boost::beast::http::verb::post;
    request.url = config_.url;
    request.body = boost::json::serialize(arguments);
    request.headers.emplace_back("Accept", "application/json, text/plain;q=0.9, */*;q=0.5");
    request.timeouts.total = timeout;
    request.timeouts.connect = std::min<std::chrono::milliseconds>(kMaxConnectTimeout, timeout);
    request.timeouts.first_byte = timeout;
    request.timeouts.idle = timeout;
    request.error_excerpt_bytes = kErrorExcerptBytes;

    auto opened = co_await http_.open(std::move(request));
    if (!opened) {
        co_return ToolOutput{fmt::format("{}: {}", config_.name, describe(opened.error(), timeout)), true};
    }
    auto& response = **opened;
    const auto declared = content_length(response.headers());
    std::string body;
    bool cut = false;
    for (;;) {
        auto chunk = co_await response.next_chunk();
        if (!chunk) {
            co_return ToolOutput{fmt::format("{}: {}", config_.name, describe(chunk.error(), timeout)), true};
        }
        if (chunk->empty()) {
            break;
        }
        if (body.size() + chunk->size() > config_.max_response_bytes) {
            // Keep one byte past the cap so that truncate() sees the body was longer; stop reading.
            body.append(chunk->substr(0, config_.max_response_bytes + 1 - body.size()));
            cut = true;
            break;
        }
        body.append(*chunk);
    }
    const std::optional<std::size_t> total = cut ? declared : std::optional<std::size_t>(body.size());
    co_return ToolOutput{
        ToolText::sanitize_utf8(ToolText::truncate(std::move(body), config_.max_response_bytes, total)), false};
}

}  // namespace parley::core
