#pragma once

#include <string>
#include <string_view>

namespace parley::server {

// Who a request acts as: the tenant that owns what it creates and reads.
struct Principal {
    std::string tenant;
    std::string key_name;  // the configured key's name; empty in open dev mode
    bool admin = false;
};

// Open dev mode (no keys configured): every request acts as this tenant.
inline constexpr std::string_view kOpenModeTenant = "default";

}  // namespace parley::server
