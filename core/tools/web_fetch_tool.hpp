#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/config.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/model_types.hpp"
#include "core/tools/address_policy.hpp"
#include "core/tools/blocking_pool.hpp"
#include "core/tools/tool.hpp"

namespace parley::core {

// The built-in `web_fetch` tool: GETs an http(s) URL and returns its readable
// text (HTML reduced by HtmlText on the BlockingPool; text, JSON and XML as
// they are), within [web_fetch] timeout_seconds, reading at most
// max_response_bytes and returning at most max_output_bytes (with a marker).
//
// Server-side request forgery guard: the host is resolved and every address it
// resolves to must pass the AddressPolicy (public only, unless allow-listed),
// and the HttpClient checks the policy again on every address it actually
// connects to, so a DNS answer that changes between the two (rebinding) is
// refused too. Redirects are not followed (a 3xx is reported as an error).
class WebFetchTool final : public Tool {
public:
    static constexpr std::string_view kName = "web_fetch";

    WebFetchTool(WebFetchConfig config, HttpClient& http, BlockingPool& blocking);

    [[nodiscard]] const ToolSpec& spec() const override { return spec_; }
    boost::asio::awaitable<ToolOutput> invoke(ToolCallContext context, boost::json::object arguments) override;

private:
    static constexpr std::size_t kMaxUrlBytes = 4096;
    static constexpr std::chrono::milliseconds kMaxConnectTimeout{5000};

    // nullopt when every address of `host` may be fetched; else why not.
    boost::asio::awaitable<std::optional<std::string>> check_host(std::string host, std::uint16_t port,
                                                                  std::chrono::milliseconds timeout) const;

    WebFetchConfig config_;
    HttpClient& http_;
    BlockingPool& blocking_;
    std::shared_ptr<const AddressPolicy> policy_;
    ToolSpec spec_;
};

}  // namespace parley::core
