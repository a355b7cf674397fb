#pragma once

#include <string>
#include <string_view>

namespace parley::testing {

// A throw-away PKI for TLS tests: a self-signed CA and a server certificate it signed.
struct TestCertificates {
    std::string ca_certificate_pem;
    std::string server_certificate_pem;
    std::string server_private_key_pem;  // PKCS#8
};

// Generates fresh P-256 keys and certificates valid from an hour ago for a day. The server
// certificate names `host` (DNS, or IP when it is an address) and always IP 127.0.0.1.
// Throws std::runtime_error when OpenSSL fails.
[[nodiscard]] TestCertificates generate_test_certificates(std::string_view host = "localhost");

}  // namespace parley::testing
