#include "server/auth/authenticator.hpp"

#include <boost/url/params_view.hpp>

#include "core/secret_hash.hpp"

namespace parley::server {
namespace {

constexpr std::string_view kBearer = "Bearer ";

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string presented_key(const Request& request, std::string_view query) {
    const auto authorization = request[http::field::authorization];
    if (starts_with_ignoring_case(authorization, kBearer)) {
        auto key = authorization.substr(kBearer.size());
        while (!key.empty() && key.front() == ' ') {
            key.remove_prefix(1);
        }
        return std::string(key);
    }
    if (query.empty()) {
        return {};
    }
    const boost::urls::params_view params(query);
    const auto token = params.find("access_token");
    if (token == params.end() || !(*token).has_value) {
        return {};
    }
    return std::string((*token).value);
}

const core::AuthKey* find_key(const std::vector<core::AuthKey>& keys, std::string_view key) {
    if (key.empty()) {
        return nullptr;
    }
    const auto digest = core::sha256_hex(key);
    const core::AuthKey* found = nullptr;
    for (const auto& candidate : keys) {
        if (core::constant_time_equal(digest, candidate.sha256_hex) && found == nullptr) {
            found = &candidate;
        }
    }
    return found;
}

}  // namespace parley::server
