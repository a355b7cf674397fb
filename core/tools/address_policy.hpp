#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace parley::core {

// What kind of destination an IP address is, for outbound requests made on a
// model's behalf (web_fetch).
enum class AddressClass {
    global,        // a public address
    loopback,      // 127.0.0.0/8, ::1
    private_use,   // 10/8, 172.16/12, 192.168/16, 100.64/10 (shared), fec0::/10 (site-local)
    link_local,    // 169.254/16, fe80::/10
    unique_local,  // fc00::/7
    multicast,     // 224/4, ff00::/8
    unspecified,   // 0.0.0.0/8, ::
    reserved,      // 240/4 and the broadcast address
    metadata,      // cloud instance metadata: 169.254.169.254, 100.100.100.200, fd00:ec2::254
};

[[nodiscard]] std::string_view to_string(AddressClass kind);

// Decides whether web_fetch may connect to an address. Only global addresses are
// allowed, unless the operator opens more: allow_private admits every class but
// metadata; an allow-list entry is a host name (every address it resolves to is
// allowed for a URL naming that host), an IP address or a CIDR network
// ("10.1.0.0/16", "fd12::/48"), which admits the addresses it contains, metadata
// included. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged as IPv4.
class AddressPolicy {
public:
    AddressPolicy() = default;
    // Entries that are neither an address, a network nor a plausible host name are
    // ignored here; the configuration loader rejects them (see valid_entry).
    AddressPolicy(std::vector<std::string> allow_entries, bool allow_private);

    [[nodiscard]] static AddressClass classify(const boost::asio::ip::address& address);
    [[nodiscard]] static bool valid_entry(std::string_view entry);

    // The URL's host is allow-listed by name (case-insensitive, no trailing dot).
    [[nodiscard]] bool allows_host(std::string_view host) const;
    // nullopt: allowed; else why not, e.g. "127.0.0.1 is a loopback address".
    [[nodiscard]] std::optional<std::string> refusal(const boost::asio::ip::address& address) const;
    [[nodiscard]] bool allows(const boost::asio::ip::address& address) const { return !refusal(address); }

private:
    std::vector<std::string> hosts_;
    std::vector<boost::asio::ip::network_v4> networks_v4_;
    std::vector<boost::asio::ip::network_v6> networks_v6_;
    bool allow_private_ = false;
};

}  // namespace parley::core
