#include "tests/support/test_certificates.hpp"

#include <memory>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/ip/address.hpp>

namespace parley::testing {
namespace {

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateFree {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct ExtensionFree {
    void operator()(X509_EXTENSION* extension) const { X509_EXTENSION_free(extension); }
};

using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertificatePtr = std::unique_ptr<X509, CertificateFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, ExtensionFree>;

constexpr long kValidBeforeSeconds = 60L * 60L;
constexpr long kValidAfterSeconds = 24L * 60L * 60L;

[[noreturn]] void fail(std::string_view what) {
    const auto code = ERR_get_error();
    std::string reason = code == 0 ? std::string("unknown error") : std::string(ERR_error_string(code, nullptr));
    ERR_clear_error();
    throw std::runtime_error(fmt::format("test certificates: {}: {}", what, reason));
}

void check(bool ok, std::string_view what) {
    if (!ok) {
        fail(what);
    }
}

[[nodiscard]] KeyPtr generate_key() {
    KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    check(key != nullptr, "generate key");
    return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    check(extension != nullptr, fmt::format("extension {}", value));
    check(X509_add_ext(certificate, extension.get(), -1) == 1, "add extension");
}

void set_common_name(X509_NAME* name, std::string_view common_name) {
    const std::string text(common_name);
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(text.c_str()),
                                     -1, -1, 0) == 1,
          "set common name");
}

// A certificate for `subject_key` named `common_name`; self-signed when issuer is null.
[[nodiscard]] CertificatePtr make_certificate(EVP_PKEY* subject_key, std::string_view common_name, long serial,
                                              X509* issuer) {
    CertificatePtr certificate(X509_new());
    check(certificate != nullptr, "new certificate");
    check(X509_set_version(certificate.get(), 2) == 1, "set version");  // 2 means v3
    check(ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial) == 1, "set serial");
    check(X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kValidBeforeSeconds) != nullptr, "not before");
    check(X509_gmtime_adj(X509_getm_notAfter(certificate.get()), kValidAfterSeconds) != nullptr, "not after");
    check(X509_set_pubkey(certificate.get(), subject_key) == 1, "set public key");
    set_common_name(X509_get_subject_name(certificate.get()), common_name);
    X509* signer = issuer == nullptr ? certificate.get() : issuer;
    check(X509_set_issuer_name(certificate.get(), X509_get_subject_name(signer)) == 1, "set issuer");
    return certificate;
}

void sign(X509* certificate, EVP_PKEY* key) {
    check(X509_sign(certificate, key, EVP_sha256()) > 0, "sign");
}

[[nodiscard]] std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const auto size = BIO_get_mem_data(bio, &data);
    return {data, static_cast<std::size_t>(size)};
}

[[nodiscard]] std::string certificate_pem(X509* certificate) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    check(bio != nullptr && PEM_write_bio_X509(bio.get(), certificate) == 1, "write certificate");
    return bio_text(bio.get());
}

[[nodiscard]] std::string private_key_pem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    check(bio != nullptr && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "write private key");
    return bio_text(bio.get());
}

[[nodiscard]] bool is_ip_address(std::string_view host) {
    boost::system::error_code error;
    [[maybe_unused]] const auto address = boost::asio::ip::make_address(std::string(host), error);
    return !error;
}

}  // namespace

TestCertificates generate_test_certificates(std::string_view host) {
    const auto ca_key = generate_key();
    const auto ca = make_certificate(ca_key.get(), "parley test CA", 1, nullptr);
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    sign(ca.get(), ca_key.get());

    const auto server_key = generate_key();
    const auto server = make_certificate(server_key.get(), host, 2, ca.get());
    std::string names = is_ip_address(host) ? fmt::format("IP:{}", host) : fmt::format("DNS:{}", host);
    if (host != "127.0.0.1") {
        names += ",IP:127.0.0.1";
    }
    add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_extension(server.get(), ca.get(), NID_subject_alt_name, names);
    add_extension(server.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    sign(server.get(), ca_key.get());

    return {certificate_pem(ca.get()), certificate_pem(server.get()), private_key_pem(server_key.get())};
}

}  // namespace parley::testing
