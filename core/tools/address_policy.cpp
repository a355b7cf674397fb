#include "core/tools/address_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

namespace parley::core {
namespace {

namespace ip = boost::asio::ip;

struct V4Range {
    std::uint32_t base;
    unsigned prefix;
    AddressClass kind;
};

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
    return (a << 24U) | (b << 16U) | (c << 8U) | d;
}

// Checked in order: the first range that holds the address decides.
constexpr std::array kV4Ranges{
    V4Range{v4(169, 254, 169, 254), 32, AddressClass::metadata},
    V4Range{v4(100, 100, 100, 200), 32, AddressClass::metadata},
    V4Range{v4(255, 255, 255, 255), 32, AddressClass::reserved},
    V4Range{v4(0, 0, 0, 0), 8, AddressClass::unspecified},
    V4Range{v4(127, 0, 0, 0), 8, AddressClass::loopback},
    V4Range{v4(10, 0, 0, 0), 8, AddressClass::private_use},
    V4Range{v4(172, 16, 0, 0), 12, AddressClass::private_use},
    V4Range{v4(192, 168, 0, 0), 16, AddressClass::private_use},
    V4Range{v4(100, 64, 0, 0), 10, AddressClass::private_use},
    V4Range{v4(169, 254, 0, 0), 16, AddressClass::link_local},
    V4Range{v4(224, 0, 0, 0), 4, AddressClass::multicast},
    V4Range{v4(240, 0, 0, 0), 4, AddressClass::reserved},
};

constexpr unsigned kBitsV4 = 32;

bool in_range(std::uint32_t address, const V4Range& range) {
    const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t{0} << (kBitsV4 - range.prefix);
    return (address & mask) == (range.base & mask);
}

AddressClass classify_v4(const ip::address_v4& address) {
    const auto value = address.to_uint();
    for (const auto& range : kV4Ranges) {
        if (in_range(value, range)) {
            return range.kind;
        }
    }
    return AddressClass::global;
}

AddressClass classify_v6(const ip::address_v6& address) {
    if (address.is_v4_mapped()) {
        return classify_v4(ip::make_address_v4(ip::v4_mapped, address));
    }
    static const ip::address_v6 kMetadata = ip::make_address_v6("fd00:ec2::254");
    if (address == kMetadata) {
        return AddressClass::metadata;
    }
    if (address.is_unspecified()) {
        return AddressClass::unspecified;
    }
    if (address.is_loopback()) {
        return AddressClass::loopback;
    }
    const auto bytes = address.to_bytes();
    constexpr unsigned kUniqueLocalMask = 0xfe;
    constexpr unsigned kUniqueLocal = 0xfc;
    if ((bytes[0] & kUniqueLocalMask) == kUniqueLocal) {
        return AddressClass::unique_local;
    }
    if (address.is_link_local()) {
        return AddressClass::link_local;
    }
    if (address.is_site_local()) {
        return AddressClass::private_use;
    }
    if (address.is_multicast()) {
        return AddressClass::multicast;
    }
    return AddressClass::global;
}

std::string normalize_host(std::string_view host) {
    std::string out(host);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!out.empty() && out.back() == '.') {
        out.pop_back();
    }
    return out;
}

bool valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) {
        return false;
    }
    return std::all_of(host.begin(), host.end(),
                       [](unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_'; });
}

}  // namespace

std::string_view to_string(AddressClass kind) {
    switch (kind) {
        case AddressClass::global: return "a public address";
        case AddressClass::loopback: return "a loopback address";
        case AddressClass::private_use: return "a private address";
        case AddressClass::link_local: return "a link-local address";
        case AddressClass::unique_local: return "a unique-local address";
        case AddressClass::multicast: return "a multicast address";
        case AddressClass::unspecified: return "an unspecified address";
        case AddressClass::reserved: return "a reserved address";
        case AddressClass::metadata: return "a cloud metadata address";
    }
    return "an unknown address";
}

AddressPolicy::AddressPolicy(std::vector<std::string> allow_entries, bool allow_private)
    : allow_private_(allow_private) {
    for (const auto& entry : allow_entries) {
        boost::system::error_code ec;
        if (entry.find('/') != std::string::npos) {
            if (auto net4 = ip::make_network_v4(entry, ec); !ec) {
                networks_v4_.push_back(net4.canonical());
                continue;
            }
            if (auto net6 = ip::make_network_v6(entry, ec); !ec) {
                networks_v6_.push_back(net6.canonical());
            }
            continue;
        }
        if (auto address = ip::make_address(entry, ec); !ec) {
            if (address.is_v4()) {
                networks_v4_.emplace_back(address.to_v4(), kBitsV4);
            } else {
                constexpr unsigned short kBitsV6 = 128;
                networks_v6_.emplace_back(address.to_v6(), kBitsV6);
            }
            continue;
        }
        if (valid_host_name(entry)) {
            hosts_.push_back(normalize_host(entry));
        }
    }
}

AddressClass AddressPolicy::classify(const ip::address& address) {
    return address.is_v4() ? classify_v4(address.to_v4()) : classify_v6(address.to_v6());
}

bool AddressPolicy::valid_entry(std::string_view entry) {
    const std::string text(entry);
    boost::system::error_code ec;
    if (text.find('/') != std::string::npos) {
        (void)ip::make_network_v4(text, ec);
        if (!ec) {
            return true;
        }
        ec.clear();
        (void)ip::make_network_v6(text, ec);
        return !ec;
    }
    (void)ip::make_address(text, ec);
    return !ec || valid_host_name(entry);
}

bool AddressPolicy::allows_host(std::string_view host) const {
    if (hosts_.empty()) {
        return false;
    }
    return std::find(hosts_.begin(), hosts_.end(), normalize_host(host)) != hosts_.end();
}

std::optional<std::string> AddressPolicy::refusal(const ip::address& address) const {
    const auto kind = classify(address);
    if (kind == AddressClass::global) {
        return std::nullopt;
    }
    if (allow_private_ && kind != AddressClass::metadata) {
        return std::nullopt;
    }
    ip::address judged = address;
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        judged = ip::make_address_v4(ip::v4_mapped, address.to_v6());
    }
    if (judged.is_v4()) {
        const auto v4_address = judged.to_v4();
        for (const auto& network : networks_v4_) {
            if (ip::network_v4(v4_address, network.prefix_length()).canonical() == network) {
                return std::nullopt;
            }
        }
    } else {
        const auto v6_address = judged.to_v6();
        for (const auto& network : networks_v6_) {
            if (ip::network_v6(v6_address, network.prefix_length()).canonical() == network) {
                return std::nullopt;
            }
        }
    }
    return fmt::format("{} is {}", address.to_string(), to_string(kind));
}

}  // namespace parley::core
