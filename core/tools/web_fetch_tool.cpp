#include "core/tools/web_fetch_tool.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "core/tools/html_text.hpp"
#include "core/tools/http_tool.hpp"
#include "core/tools/tool_text.hpp"

namespace parley::core {
namespace {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

constexpr std::string_view kDescription =
    "Fetch a public web page (http or https) and return its readable text. "
    "HTML is reduced to text; long pages are truncated.";

constexpr std::string_view kParameters = R"({
  "type": "object",
  "properties": {
    "url": {"type": "string", "description": "The http:// or https:// URL to fetch"}
  },
  "required": ["url"]
})";

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint16_t kHttpPort = 80;
constexpr std::uint16_t kHttpsPort = 443;

ToolOutput error(std::string message) {
    return ToolOutput{std::move(message), true};
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

enum class BodyKind { html, text, unsupported };

BodyKind body_kind(std::string_view content_type, std::string_view body) {
    const std::string type = lower(content_type.substr(0, content_type.find(';')));
    if (type.find("html") != std::string::npos) {
        return BodyKind::html;
    }
    if (type.empty()) {
        const std::string start = lower(body.substr(0, 512));
        return start.find("<html") != std::string::npos || start.find("<!doctype html") != std::string::npos
                   ? BodyKind::html
                   : BodyKind::text;
    }
    if (type.starts_with("text/") || type.find("json") != std::string::npos || type.find("xml") != std::string::npos) {
        return BodyKind::text;
    }
    return BodyKind::unsupported;
}

}  // namespace

WebFetchTool::WebFetchTool(WebFetchConfig config, HttpClient& http, BlockingPool& blocking)
    : config_(std::move(config)),
      http_(http),
      blocking_(blocking),
      policy_(std::make_shared<const AddressPolicy>(config_.allow_hosts, config_.allow_private)),
      spec_{std::string(kName), std::string(kDescription), boost::json::parse(kParameters).as_object()} {}

asio::awaitable<std::optional<std::string>> WebFetchTool::check_host(std::string host, std::uint16_t port,
                                                                     std::chrono::milliseconds timeout) const {
    boost::system::error_code literal_ec;
    const auto literal = asio::ip::make_address(host, literal_ec);
    if (!literal_ec) {
        co_return policy_->refusal(literal);
    }
    auto executor = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(executor);
    asio::steady_timer timer(executor, timeout);
    auto outcome =
        co_await (resolver.async_resolve(host, std::to_string(port), kAsTuple) || timer.async_wait(kAsTuple));
    if (outcome.index() == 1) {
        co_return fmt::format("resolving {} timed out", host);
    }
    auto [ec, results] = std::get<0>(std::move(outcome));
    if (ec) {
        co_return fmt::format("could not resolve {}: {}", host, ec.message());
    }
    if (results.empty()) {
        co_return fmt::format("{} has no address", host);
    }
    for (const auto& entry : results) {
        if (auto refusal = policy_->refusal(entry.endpoint().address())) {
            co_return fmt::format("{} resolves to a refused address: {}", host, *refusal);
        }
    }
    co_return std::nullopt;
}

asio::awaitable<ToolOutput> WebFetchTool::invoke(ToolCallContext /*context*/, boost::json::object arguments) {
    const auto* url_value = arguments.if_contains("url");
    if (url_value == nullptr || !url_value->is_string()) {
        co_return error("url: expected a string with an http:// or https:// URL");
    }
    const std::string url(url_value->get_string());
    if (url.size() > kMaxUrlBytes) {
        co_return error(fmt::format("url: longer than {} bytes", kMaxUrlBytes));
    }
    const auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        co_return error(fmt::format("url: \"{}\" is not a valid absolute URL", url));
    }
    const auto scheme = parsed->scheme_id();
    if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
        co_return error(fmt::format("url: only http:// and https:// URLs can be fetched, not \"{}\"", url));
    }
    if (parsed->has_userinfo()) {
        co_return error("url: credentials in the URL are not allowed");
    }
    std::string host;
    switch (parsed->host_type()) {
        case boost::urls::host_type::ipv4: host = parsed->host_ipv4_address().to_string(); break;
        case boost::urls::host_type::ipv6: host = parsed->host_ipv6_address().to_string(); break;
        case boost::urls::host_type::name: host = parsed->host_name(); break;
        default: co_return error(fmt::format("url: \"{}\" has no usable host", url));
    }
    if (host.empty()) {
        co_return error(fmt::format("url: \"{}\" has no host", url));
    }
    const std::uint16_t port = parsed->has_port()                     ? parsed->port_number()
                               : scheme == boost::urls::scheme::https ? kHttpsPort
                                                                      : kHttpPort;
    const std::chrono::seconds timeout{config_.timeout_seconds};
    const auto connect_timeout = std::min<std::chrono::milliseconds>(kMaxConnectTimeout, timeout);

    const bool host_allowed = policy_->allows_host(host);
    if (!host_allowed) {
        if (auto refusal = co_await check_host(host, port, connect_timeout)) {
            co_return error(fmt::format("refused to fetch {}: {} (not allowed by [web_fetch])", url, *refusal));
        }
    }

    HttpRequest request;
    request.method = boost::beast::http::verb::get;
    request.url = url;
    request.content_type.clear();
    request.headers.emplace_back("Accept", "text/html, text/plain;q=0.9, */*;q=0.5");
    request.timeouts.total = timeout;
    request.timeouts.connect = connect_timeout;
    request.timeouts.first_byte = timeout;
    request.timeouts.idle = timeout;
    if (!host_allowed) {
        // The client checks again on the addresses it actually connects to (DNS rebinding).
        request.allow_address = [policy = policy_](const asio::ip::address& address) {
            return policy->allows(address);
        };
    }

    auto opened = co_await http_.open(std::move(request));
    if (!opened) {
        if (opened.error().address_refused) {
            co_return error(
                fmt::format("refused to fetch {}: {} resolved to an address that is not allowed "
                            "(not allowed by [web_fetch])",
                            url, host));
        }
        co_return error(fmt::format("fetching {}: {}", url, HttpTool::describe(opened.error(), timeout)));
    }
    auto& response = **opened;
    std::string content_type;
    if (const auto found = response.headers().find(boost::beast::http::field::content_type);
        found != response.headers().end()) {
        content_type = std::string(found->value());
    }
    std::string body;
    bool cut = false;
    for (;;) {
        auto chunk = co_await response.next_chunk();
        if (!chunk) {
            co_return error(fmt::format("fetching {}: {}", url, HttpTool::describe(chunk.error(), timeout)));
        }
        if (chunk->empty()) {
            break;
        }
        if (body.size() + chunk->size() > config_.max_response_bytes) {
            body.append(chunk->substr(0, config_.max_response_bytes - body.size()));
            cut = true;
            break;
        }
        body.append(*chunk);
    }
    opened->reset();  // the connection is released (or closed when the body was cut) before extraction

    std::string text;
    switch (body_kind(content_type, body)) {
        case BodyKind::unsupported:
            co_return error(fmt::format("fetching {}: unsupported content type \"{}\" (web_fetch reads HTML and text)",
                                        url, content_type));
        case BodyKind::text: text = std::move(body); break;
        case BodyKind::html: {
            // A named job, not a temporary in the co_await expression: GCC 12 destroys those twice.
            auto extract = [html = std::move(body)] { return HtmlText::extract(html); };
            auto extracted = co_await blocking_.run(std::move(extract));
            if (!extracted) {
                co_return error("web_fetch is busy: too many pages are being processed, try again shortly");
            }
            text = std::move(*extracted);
            break;
        }
    }
    const std::size_t total = text.size();
    text = ToolText::sanitize_utf8(ToolText::truncate(std::move(text), config_.max_output_bytes, total));
    if (cut) {
        text += fmt::format("\n[truncated: only the first {} bytes of the page were read]", config_.max_response_bytes);
    }
    co_return ToolOutput{std::move(text), false};
}

}  // namespace parley::core
