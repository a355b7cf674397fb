#include "core/net/http_error.hpp"

#include <stdexcept>

namespace parley::core {

std::string_view to_string(HttpErrorKind kind) {
    switch (kind) {
        case HttpErrorKind::network: return "network";
        case HttpErrorKind::timeout: return "timeout";
        case HttpErrorKind::cancelled: return "cancelled";
        case HttpErrorKind::client: return "client";
        case HttpErrorKind::server: return "server";
    }
    return "unknown";
}

void throw_exception_from_error(const HttpError& error, const boost::source_location& /*location*/) {
    throw std::runtime_error(std::string(to_string(error.kind)) + ": " + error.message);
}

}  // namespace parley::core
