#include "core/providers/provider_chain.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "core/providers/provider_errors.hpp"

namespace parley::core {

namespace asio = boost::asio;

namespace {

ModelOutcome cancelled_outcome() {
    return failed_outcome(ProviderError{.kind = ProviderErrorKind::cancelled, .message = "cancelled"});
}

}  // namespace

ProviderChain::ProviderChain(std::vector<Link> links, ProviderMetrics* metrics, RetryPolicy policy)
    : links_(std::move(links)), metrics_(metrics), policy_(policy) {}

std::string_view ProviderChain::name() const {
    return links_.empty() ? std::string_view() : links_.front().provider->name();
}

asio::awaitable<ModelOutcome> ProviderChain::stream(const ModelRequest& request, ModelEventSink sink) {
    ModelOutcome last = failed_outcome(ProviderError{.kind = ProviderErrorKind::client, .message = "no provider"});
    for (const auto& link : links_) {
        const std::string_view provider_name = link.provider->name();
        for (unsigned attempt = 0;; ++attempt) {
            const auto started = std::chrono::steady_clock::now();
            bool delivered = false;
            // Not a coroutine: called synchronously by the provider while this frame awaits it.
            ModelEventSink attempt_sink = [&](ModelEvent&& event) {
                if (!delivered) {
                    delivered = true;
                    if (metrics_ != nullptr) {
                        metrics_->record_first_token(provider_name, std::chrono::steady_clock::now() - started);
                    }
                }
                sink(std::move(event));
            };
            ModelOutcome outcome;
            try {
                outcome = co_await link.provider->stream(request, std::move(attempt_sink));
            } catch (const boost::system::system_error& failure) {
                outcome =
                    failure.code() == asio::error::operation_aborted
                        ? cancelled_outcome()
                        : failed_outcome(ProviderError{.kind = ProviderErrorKind::network, .message = failure.what()});
            }
            if (metrics_ != nullptr) {
                metrics_->record_attempt(provider_name, outcome);
            }
            if (!outcome.error) {
                outcome.provider = std::string(provider_name);
                co_return outcome;
            }
            auto& error = *outcome.error;
            error.after_first_delta = error.after_first_delta || delivered;
            outcome.provider = std::string(provider_name);
            if (error.kind == ProviderErrorKind::cancelled || error.after_first_delta) {
                co_return outcome;
            }
            spdlog::warn("provider {} attempt {} failed: {} ({}{})", provider_name, attempt + 1, error.message,
                         to_string(error.kind), error.status != 0 ? ", HTTP " + std::to_string(error.status) : "");
            last = std::move(outcome);
            if (!RetryPolicy::retryable(*last.error) || attempt >= link.max_retries) {
                break;
            }
            const auto wait = policy_.delay(attempt, *last.error);
            if (!wait) {
                break;
            }
            asio::steady_timer timer(co_await asio::this_coro::executor, *wait);
            try {
                auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
                if (ec) {
                    co_return cancelled_outcome();
                }
            } catch (const boost::system::system_error&) {
                co_return cancelled_outcome();
            }
        }
    }
    co_return last;
}

}  // namespace parley::core
