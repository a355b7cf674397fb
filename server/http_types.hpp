#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace parley::server {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Values bound by a route template's {name} segments, in order of appearance.
struct RouteParams {
    std::vector<std::pair<std::string, std::string>> values;

    [[nodiscard]] std::string_view get(std::string_view name) const {
        for (const auto& [key, value] : values) {
            if (key == name) {
                return value;
            }
        }
        return {};
    }
};

}  // namespace parley::server
