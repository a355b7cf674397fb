#include "server/auth/authenticator.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/url/params_view.hpp>

#include "core/secret_hash.hpp"

namespace parley::server {
namespace {

constexpr std::string_view kBearer = "Bearer ";

}  // namespace

std::string presented_key(const Request& request, std::string_view query) {
    const auto authorization = request[http::field::authorization];
    if (boost::algorithm::istarts_with(authorization, kBearer)) {
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
