#include "storage/store_errc.hpp"

#include <string>

namespace parley::storage {
namespace {

class StoreCategory final : public boost::system::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "parley.storage"; }

    [[nodiscard]] std::string message(int value) const override {
        switch (static_cast<StoreErrc>(value)) {
            case StoreErrc::not_found: return "not found";
            case StoreErrc::duplicate_id: return "an object with this id already exists";
            case StoreErrc::duplicate_seq: return "a message with this seq already exists in the session";
            case StoreErrc::invalid_query: return "malformed search query";
            case StoreErrc::invalid_cursor: return "the pagination cursor is not valid";
            case StoreErrc::invalid_argument: return "invalid argument";
            case StoreErrc::queue_full: return "the storage writer queue is full";
            case StoreErrc::busy: return "the database is busy";
            case StoreErrc::closed: return "the store is closed";
            case StoreErrc::internal: return "internal storage error";
        }
        return "unknown storage error";
    }
};

}  // namespace

const boost::system::error_category& store_category() noexcept {
    static const StoreCategory category;
    return category;
}

}  // namespace parley::storage
