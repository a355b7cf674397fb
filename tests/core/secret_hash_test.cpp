#include "core/secret_hash.hpp"

#include <catch2/catch.hpp>

TEST_CASE("sha256_hex matches the published test vectors", "[core]") {
    CHECK(parley::core::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(parley::core::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("constant_time_equal compares whole digests", "[core]") {
    CHECK(parley::core::constant_time_equal("abcd", "abcd"));
    CHECK_FALSE(parley::core::constant_time_equal("abcd", "abce"));
    CHECK_FALSE(parley::core::constant_time_equal("abcd", "abc"));
}
