#include "storage/id_generator.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>

#include <openssl/rand.h>

namespace parley::storage {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// Bytes at or above 248 (= 4 * 62) are rejected so every character is equally likely.
constexpr unsigned kRejectFrom = 4 * 62;

}  // namespace

std::string generate_id(std::string_view prefix) {
    std::string id(prefix);
    id.reserve(prefix.size() + kIdRandomChars);
    std::array<unsigned char, 2 * kIdRandomChars> bytes{};
    while (id.size() < prefix.size() + kIdRandomChars) {
        if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
            throw std::runtime_error("the system random number generator failed");
        }
        for (const unsigned char byte : bytes) {
            if (byte < kRejectFrom && id.size() < prefix.size() + kIdRandomChars) {
                id.push_back(kAlphabet[byte % kAlphabet.size()]);
            }
        }
    }
    return id;
}

}  // namespace parley::storage
