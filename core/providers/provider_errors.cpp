#include "core/providers/provider_errors.hpp"

#include <boost/asio/error.hpp>

namespace parley::core {

namespace {

constexpr unsigned kTooManyRequests = 429;

}  // namespace

ProviderError to_provider_error(const HttpError& error) {
    ProviderError converted;
    switch (error.kind) {
        case HttpErrorKind::network: converted.kind = ProviderErrorKind::network; break;
        case HttpErrorKind::timeout: converted.kind = ProviderErrorKind::timeout; break;
        case HttpErrorKind::cancelled: converted.kind = ProviderErrorKind::cancelled; break;
        case HttpErrorKind::client:
            converted.kind =
                error.status == kTooManyRequests ? ProviderErrorKind::rate_limited : ProviderErrorKind::client;
            break;
        case HttpErrorKind::server: converted.kind = ProviderErrorKind::server; break;
    }
    converted.message = error.message;
    converted.status = error.status;
    converted.body_excerpt = error.body_excerpt;
    converted.retry_after = error.retry_after;
    return converted;
}

std::string_view to_string(ProviderErrorKind kind) {
    switch (kind) {
        case ProviderErrorKind::network: return "network";
        case ProviderErrorKind::timeout: return "timeout";
        case ProviderErrorKind::cancelled: return "cancelled";
        case ProviderErrorKind::client: return "client";
        case ProviderErrorKind::rate_limited: return "rate_limited";
        case ProviderErrorKind::server: return "server";
        case ProviderErrorKind::protocol: return "protocol";
    }
    return "unknown";
}

ModelOutcome failed_outcome(ProviderError error) {
    ModelOutcome outcome;
    outcome.error = std::move(error);
    return outcome;
}

ProviderError exchange_error(const boost::system::system_error& failure) {
    if (failure.code() == boost::asio::error::operation_aborted) {
        return ProviderError{.kind = ProviderErrorKind::cancelled, .message = "cancelled"};
    }
    return ProviderError{.kind = ProviderErrorKind::network, .message = failure.what()};
}

}  // namespace parley::core
