#pragma once

#include <boost/system/result.hpp>

#include "storage/store_errc.hpp"

namespace parley::storage {

// A value or the error_code (usually a StoreErrc) saying why there is none.
// Expected failures (not found, duplicates, bad search queries) are values of
// this type; programmer errors assert.
template <class T>
using Result = boost::system::result<T>;

}  // namespace parley::storage
