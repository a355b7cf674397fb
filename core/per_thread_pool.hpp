#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace parley::core {

// Objects that cost more to build than to reuse (JSON parsers with their
// buffers, I/O chunks), kept per thread: take() hands out a pooled object or a
// new one (default-initialised: a buffer is not zeroed), and the handle gives
// it back to the pool of the thread that drops it, unless that pool holds
// kPerThread already or kKeep says it is not worth keeping (one that grew for
// an unusually large document). One model call or request per take: building
// them per call showed in the gateway profile (a parser's first use alone is
// three allocations, one of 8 KiB).
template <typename T, std::size_t kPerThread, bool (*kKeep)(const T&) = nullptr>
class PerThreadPool {
public:
    struct Recycler {
        void operator()(T* object) const {
            std::unique_ptr<T> owned(object);
            auto& pool = objects();
            if (pool.size() < kPerThread && (kKeep == nullptr || kKeep(*owned))) {
                pool.push_back(std::move(owned));
            }
        }
    };
    using Handle = std::unique_ptr<T, Recycler>;

    [[nodiscard]] static Handle take() {
        auto& pool = objects();
        if (pool.empty()) {
            return Handle(new T);  // NOLINT(cppcoreguidelines-owning-memory): owned by the handle
        }
        Handle object(pool.back().release());
        pool.pop_back();
        return object;
    }

private:
    static std::vector<std::unique_ptr<T>>& objects() {
        thread_local std::vector<std::unique_ptr<T>> pool;
        return pool;
    }
};

}  // namespace parley::core
