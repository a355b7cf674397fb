#include "storage/store_errc.hpp"

#include <catch2/catch.hpp>

#include "storage/result.hpp"

using namespace parley::storage;

TEST_CASE("store errors are error_codes of their own category", "[storage]") {
    const boost::system::error_code code = StoreErrc::invalid_query;
    CHECK(code.category().name() == std::string("parley.storage"));
    CHECK(code.message() == "malformed search query");
    CHECK(code == StoreErrc::invalid_query);
    CHECK(code != StoreErrc::not_found);
    const Result<int> failed = StoreErrc::not_found;
    CHECK(failed.error() == StoreErrc::not_found);
    CHECK(Result<int>(3).value() == 3);
}
