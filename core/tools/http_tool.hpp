#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/config.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/model_types.hpp"
#include "core/tools/tool.hpp"

namespace parley::core {

// A [tools.*] tool of kind http: POSTs the call's arguments as a JSON object to
// the configured URL through the shared HttpClient, within timeout_seconds (the
// whole exchange). The response body is the output: at most max_response_bytes
// are read (the rest is not downloaded) and a longer body ends with
// "\n[truncated: N of M bytes shown]". A non-2xx answer, a timeout or a network
// failure is an is_error result saying what happened.
class HttpTool final : public Tool {
public:
    HttpTool(ToolConfig config, HttpClient& http);

    [[nodiscard]] const ToolSpec& spec() const override { return spec_; }
    boost::asio::awaitable<ToolOutput> invoke(ToolCallContext context, boost::json::object arguments) override;

    // The text an outbound failure gives the model, e.g. "HTTP 503 from ...: <excerpt>".
    [[nodiscard]] static std::string describe(const HttpError& error, std::chrono::seconds timeout);

private:
    static constexpr std::chrono::milliseconds kMaxConnectTimeout{5000};
    static constexpr std::size_t kErrorExcerptBytes = 1024;

    ToolConfig config_;
    HttpClient& http_;
    ToolSpec spec_;
};

}  // namespace parley::core
