#include "storage/id_generator.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>

#include <openssl/rand.h>

#include "storage/timestamp.hpp"

namespace parley::storage {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::uint64_t kBase = kAlphabet.size();
// Bytes at or above 248 (= 4 * 62) are rejected so every character is equally likely.
constexpr unsigned kRejectFrom = 4 * 62;
// Random bytes drawn from OpenSSL per refill of a thread's buffer: one
// RAND_bytes call (and its getpid fork check, a system call) serves ~60 ids
// instead of one.
constexpr std::size_t kRandomBufferBytes = 1024;

// A thread's unused CSPRNG output. Each byte is handed out once.
class RandomBytes {
public:
    unsigned char next() {
        if (position_ == bytes_.size()) {
            if (RAND_bytes(bytes_.data(), static_cast<int>(bytes_.size())) != 1) {
                throw std::runtime_error("the system random number generator failed");
            }
            position_ = 0;
        }
        const unsigned char byte = bytes_[position_];
        bytes_[position_++] = 0;  // handed out: not kept in memory
        return byte;
    }

private:
    std::array<unsigned char, kRandomBufferBytes> bytes_{};
    std::size_t position_ = kRandomBufferBytes;
};

thread_local RandomBytes t_random;

}  // namespace

std::string generate_id(std::string_view prefix) {
    return generate_id(prefix, system_now_ms());
}

std::string generate_id(std::string_view prefix, std::int64_t epoch_ms) {
    std::array<char, kIdChars> body{};
    // Most significant digit first, zero-padded: string order is time order.
    auto time = static_cast<std::uint64_t>(std::max<std::int64_t>(epoch_ms, 0));
    for (std::size_t i = kIdTimeChars; i > 0; --i) {
        body[i - 1] = kAlphabet[time % kBase];
        time /= kBase;
    }
    for (std::size_t i = kIdTimeChars; i < kIdChars;) {
        const unsigned char byte = t_random.next();
        if (byte < kRejectFrom) {
            body[i++] = kAlphabet[byte % kBase];
        }
    }
    // One allocation: the prefix and the body written into a string of the final size.
    std::string id;
    id.reserve(prefix.size() + kIdChars);
    id.append(prefix).append(body.data(), body.size());
    return id;
}

}  // namespace parley::storage
