#include "core/tools/address_policy.hpp"

#include <catch2/catch.hpp>

namespace {

using parley::core::AddressClass;
using parley::core::AddressPolicy;

AddressClass classify(const char* text) {
    return AddressPolicy::classify(boost::asio::ip::make_address(text));
}

bool allows(const AddressPolicy& policy, const char* text) {
    return policy.allows(boost::asio::ip::make_address(text));
}

}  // namespace

TEST_CASE("addresses are classified by the ranges that matter for fetching", "[tools]") {
    CHECK(classify("127.0.0.1") == AddressClass::loopback);
    CHECK(classify("127.255.0.9") == AddressClass::loopback);
    CHECK(classify("10.0.0.1") == AddressClass::private_use);
    CHECK(classify("172.16.0.1") == AddressClass::private_use);
    CHECK(classify("172.31.255.255") == AddressClass::private_use);
    CHECK(classify("172.32.0.1") == AddressClass::global);
    CHECK(classify("172.15.255.255") == AddressClass::global);
    CHECK(classify("192.168.1.1") == AddressClass::private_use);
    CHECK(classify("100.64.0.1") == AddressClass::private_use);
    CHECK(classify("169.254.169.254") == AddressClass::metadata);
    CHECK(classify("169.254.1.1") == AddressClass::link_local);
    CHECK(classify("0.0.0.0") == AddressClass::unspecified);
    CHECK(classify("224.0.0.1") == AddressClass::multicast);
    CHECK(classify("255.255.255.255") == AddressClass::reserved);
    CHECK(classify("8.8.8.8") == AddressClass::global);
    CHECK(classify("93.184.216.34") == AddressClass::global);

    CHECK(classify("::1") == AddressClass::loopback);
    CHECK(classify("::") == AddressClass::unspecified);
    CHECK(classify("fc00::1") == AddressClass::unique_local);
    CHECK(classify("fd12:3456::1") == AddressClass::unique_local);
    CHECK(classify("fd00:ec2::254") == AddressClass::metadata);
    CHECK(classify("fe80::1") == AddressClass::link_local);
    CHECK(classify("febf::1") == AddressClass::link_local);
    CHECK(classify("ff02::1") == AddressClass::multicast);
    CHECK(classify("::ffff:127.0.0.1") == AddressClass::loopback);
    CHECK(classify("::ffff:169.254.169.254") == AddressClass::metadata);
    CHECK(classify("::ffff:8.8.8.8") == AddressClass::global);
    CHECK(classify("2606:4700:4700::1111") == AddressClass::global);
}

TEST_CASE("the default policy allows public addresses only, with a reason", "[tools]") {
    const AddressPolicy policy;
    CHECK(allows(policy, "8.8.8.8"));
    CHECK(allows(policy, "2606:4700:4700::1111"));
    for (const char* refused :
         {"127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.10", "169.254.169.254", "::1", "fc00::1", "fe80::1",
          "::ffff:127.0.0.1", "0.0.0.0", "::", "224.0.0.1", "fd00:ec2::254"}) {
        INFO(refused);
        CHECK_FALSE(allows(policy, refused));
    }
    CHECK(policy.refusal(boost::asio::ip::make_address("127.0.0.1")) == "127.0.0.1 is a loopback address");
    CHECK(policy.refusal(boost::asio::ip::make_address("169.254.169.254")) ==
          "169.254.169.254 is a cloud metadata address");
    CHECK_FALSE(policy.allows_host("localhost"));
}

TEST_CASE("the operator opens hosts, addresses and networks", "[tools]") {
    const AddressPolicy policy({"Intranet.Example.", "10.1.0.0/16", "127.0.0.1", "fd12::/16", "169.254.169.254"},
                               false);
    CHECK(policy.allows_host("intranet.example"));
    CHECK(policy.allows_host("INTRANET.example."));
    CHECK_FALSE(policy.allows_host("other.example"));
    CHECK(allows(policy, "10.1.200.3"));
    CHECK_FALSE(allows(policy, "10.2.0.1"));
    CHECK(allows(policy, "127.0.0.1"));
    CHECK(allows(policy, "::ffff:127.0.0.1"));
    CHECK_FALSE(allows(policy, "127.0.0.2"));
    CHECK(allows(policy, "fd12:1::5"));
    CHECK_FALSE(allows(policy, "fd13::5"));
    CHECK(allows(policy, "169.254.169.254"));

    const AddressPolicy open_private({}, true);
    CHECK(allows(open_private, "127.0.0.1"));
    CHECK(allows(open_private, "10.0.0.1"));
    CHECK(allows(open_private, "fe80::1"));
    CHECK_FALSE(allows(open_private, "169.254.169.254"));
    CHECK_FALSE(allows(open_private, "fd00:ec2::254"));
}

TEST_CASE("allow-list entries are validated", "[tools]") {
    CHECK(AddressPolicy::valid_entry("example.com"));
    CHECK(AddressPolicy::valid_entry("localhost"));
    CHECK(AddressPolicy::valid_entry("10.0.0.0/8"));
    CHECK(AddressPolicy::valid_entry("::1"));
    CHECK(AddressPolicy::valid_entry("fd00::/8"));
    CHECK_FALSE(AddressPolicy::valid_entry("10.0.0.0/33"));
    CHECK_FALSE(AddressPolicy::valid_entry("bad host!"));
    CHECK_FALSE(AddressPolicy::valid_entry(""));
}
