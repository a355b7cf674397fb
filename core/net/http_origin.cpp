#include "core/net/http_origin.hpp"

#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace parley::core {

namespace {

constexpr std::uint16_t kHttpPort = 80;
constexpr std::uint16_t kHttpsPort = 443;

}  // namespace

std::string HttpOrigin::key() const {
    return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

std::string HttpOrigin::host_header() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    std::string value = ipv6 ? "[" + host + "]" : host;
    if (port != (tls ? kHttpsPort : kHttpPort)) {
        value += ":" + std::to_string(port);
    }
    return value;
}

std::optional<HttpOrigin> HttpOrigin::parse(std::string_view url) {
    const auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        return std::nullopt;
    }
    const boost::urls::url_view& view = *parsed;
    HttpOrigin origin;
    const auto scheme = view.scheme_id();
    if (scheme == boost::urls::scheme::https) {
        origin.tls = true;
    } else if (scheme != boost::urls::scheme::http) {
        return std::nullopt;
    }
    if (!view.has_authority() || view.encoded_host().empty()) {
        return std::nullopt;
    }
    if (view.host_type() == boost::urls::host_type::ipv6) {
        origin.host = view.host_ipv6_address().to_string();
    } else {
        origin.host = view.host();
    }
    origin.port = origin.tls ? kHttpsPort : kHttpPort;
    if (view.has_port()) {
        const auto port_text = view.port();
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
            return std::nullopt;
        }
        origin.port = static_cast<std::uint16_t>(port);
    }
    origin.target = std::string(view.encoded_path());
    if (origin.target.empty()) {
        origin.target = "/";
    }
    if (view.has_query()) {
        origin.target += "?";
        origin.target += std::string(view.encoded_query());
    }
    return origin;
}

}  // namespace parley::core
