#pragma once

#include <cstdint>

#include "storage/histogram.hpp"

namespace parley::storage {

// The writer's figures for /metrics (names as the server exports them).
struct StoreStats {
    std::uint64_t commits_total = 0;       // committed batches (the upkeep's own transactions not counted)
    std::uint64_t ops_total = 0;           // operations that ran (succeeded or failed)
    std::uint64_t ops_failed_total = 0;    // operations that completed with an error
    std::uint64_t busy_retries_total = 0;  // BUSY/LOCKED retries
    std::uint64_t queue_depth = 0;         // parley_writer_queue_depth: operations waiting now
    HistogramSnapshot batch_size;          // parley_writer_batch_size: operations per commit
    HistogramSnapshot commit_duration;     // parley_writer_commit_duration_seconds: BEGIN..COMMIT
};

}  // namespace parley::storage
