#include "storage/coalescing_wal_vfs.hpp"

#include <atomic>
#include <cstddef>
#include <mutex>
#include <new>
#include <stdexcept>
#include <vector>

#include <sqlite3.h>

namespace parley::storage {
namespace {

constexpr char kVfsName[] = "parley-coalescing-wal";
// SQLite's WAL frame header; bytes 4-7 hold the database size in pages after
// a commit, and 0 in every other frame (the WAL file format).
constexpr int kFrameHeaderBytes = 24;
// The unix VFS writes at most 128 KiB - 1 per call (its seekAndWrite masks
// the length with 0x1ffff; a multiple of 128 KiB would write nothing and
// report a full disk), so a transaction is written in parts of up to 31
// frames: one write for a lone message's commit (≈ 13 frames), three for a
// batch of 50 (≈ 66).
constexpr std::size_t kMaxBufferedBytes = 0x1ffff;

std::atomic<std::uint64_t> writes_requested{0};
std::atomic<std::uint64_t> writes_issued{0};

sqlite3_vfs* default_vfs = nullptr;
sqlite3_vfs coalescing_vfs{};

bool is_commit_frame_header(const void* data, int amount) {
    if (amount != kFrameHeaderBytes) {
        return false;
    }
    const auto* bytes = static_cast<const unsigned char*>(data);
    return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

// The appends not yet written, and the default VFS's file they go to.
struct PendingWrites {
    explicit PendingWrites(sqlite3_file* inner) : file(inner) {}

    sqlite3_file* file;
    std::vector<unsigned char> bytes;
    sqlite3_int64 offset = 0;
    bool commit_frame_started = false;  // the last write was a commit frame's header

    [[nodiscard]] sqlite3_int64 end() const { return offset + static_cast<sqlite3_int64>(bytes.size()); }

    int flush() {
        if (bytes.empty()) {
            return SQLITE_OK;
        }
        writes_issued.fetch_add(1, std::memory_order_relaxed);
        const int rc = file->pMethods->xWrite(file, bytes.data(), static_cast<int>(bytes.size()), offset);
        bytes.clear();
        return rc;
    }
};

// SQLite's szOsFile bytes for a WAL file: [WalFile | PendingWrites | the
// default VFS's file]. WalFile is what SQLite sees (standard layout, its
// sqlite3_file first).
struct WalFile {
    sqlite3_file base;
    PendingWrites* pending;
};

constexpr std::size_t round_up(std::size_t size, std::size_t alignment) {
    return (size + alignment - 1) / alignment * alignment;
}
constexpr std::size_t kPendingOffset = round_up(sizeof(WalFile), alignof(PendingWrites));
constexpr std::size_t kDefaultFileOffset = round_up(kPendingOffset + sizeof(PendingWrites), alignof(std::max_align_t));

PendingWrites& pending_of(sqlite3_file* file) {
    return *reinterpret_cast<WalFile*>(file)->pending;
}

sqlite3_file* default_file_of(sqlite3_file* file) {
    return pending_of(file).file;
}

int wal_close(sqlite3_file* file) {
    PendingWrites& pending = pending_of(file);
    const int flushed = pending.flush();
    sqlite3_file* inner = pending.file;
    const int closed = inner->pMethods != nullptr ? inner->pMethods->xClose(inner) : SQLITE_OK;
    pending.~PendingWrites();
    return flushed != SQLITE_OK ? flushed : closed;
}

int wal_read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
    if (const int rc = pending_of(file).flush(); rc != SQLITE_OK) {
        return rc;
    }
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xRead(inner, data, amount, offset);
}

int wal_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    writes_requested.fetch_add(1, std::memory_order_relaxed);
    PendingWrites& pending = pending_of(file);
    // Decided before any flush below: the commit frame's page may be the
    // write that no longer fits in the buffer.
    const bool completes_commit_frame = pending.commit_frame_started;
    pending.commit_frame_started = is_commit_frame_header(data, amount);
    const bool appends = pending.bytes.empty() || offset == pending.end();
    const bool fits = pending.bytes.size() + static_cast<std::size_t>(amount) <= kMaxBufferedBytes;
    if (!appends || !fits) {
        if (const int rc = pending.flush(); rc != SQLITE_OK) {
            return rc;
        }
    }
    try {
        if (pending.bytes.empty()) {
            pending.offset = offset;
        }
        const auto* bytes = static_cast<const unsigned char*>(data);
        pending.bytes.insert(pending.bytes.end(), bytes, bytes + amount);
    } catch (const std::bad_alloc&) {
        return SQLITE_IOERR_NOMEM;
    }
    if (completes_commit_frame) {
        // The commit frame's page: the transaction's frames are complete and
        // must be in the file before SQLite tells readers of them.
        return pending.flush();
    }
    return SQLITE_OK;
}

int wal_truncate(sqlite3_file* file, sqlite3_int64 size) {
    if (const int rc = pending_of(file).flush(); rc != SQLITE_OK) {
        return rc;
    }
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xTruncate(inner, size);
}

int wal_sync(sqlite3_file* file, int flags) {
    if (const int rc = pending_of(file).flush(); rc != SQLITE_OK) {
        return rc;
    }
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xSync(inner, flags);
}

int wal_file_size(sqlite3_file* file, sqlite3_int64* size) {
    if (const int rc = pending_of(file).flush(); rc != SQLITE_OK) {
        return rc;
    }
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xFileSize(inner, size);
}

int wal_lock(sqlite3_file* file, int level) {
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xLock(inner, level);
}

int wal_unlock(sqlite3_file* file, int level) {
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xUnlock(inner, level);
}

int wal_check_reserved_lock(sqlite3_file* file, int* reserved) {
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xCheckReservedLock(inner, reserved);
}

int wal_file_control(sqlite3_file* file, int op, void* argument) {
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xFileControl(inner, op, argument);
}

int wal_sector_size(sqlite3_file* file) {
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xSectorSize(inner);
}

int wal_device_characteristics(sqlite3_file* file) {
    sqlite3_file* inner = default_file_of(file);
    return inner->pMethods->xDeviceCharacteristics(inner);
}

// Version 1: SQLite maps shared memory and fetches pages through the database
// file, never through its WAL.
const sqlite3_io_methods kWalMethods = {
    1,
    wal_close,
    wal_read,
    wal_write,
    wal_truncate,
    wal_sync,
    wal_file_size,
    wal_lock,
    wal_unlock,
    wal_check_reserved_lock,
    wal_file_control,
    wal_sector_size,
    wal_device_characteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

int open_file(sqlite3_vfs* /*vfs*/, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    if ((flags & SQLITE_OPEN_WAL) == 0) {
        // Not a WAL: the file is the default VFS's, with its own methods.
        return default_vfs->xOpen(default_vfs, name, file, flags, out_flags);
    }
    auto* bytes = reinterpret_cast<unsigned char*>(file);
    auto* inner = reinterpret_cast<sqlite3_file*>(bytes + kDefaultFileOffset);
    auto& wal_file = *reinterpret_cast<WalFile*>(file);
    wal_file.base.pMethods = nullptr;
    const int rc = default_vfs->xOpen(default_vfs, name, inner, flags, out_flags);
    if (rc != SQLITE_OK) {
        if (inner->pMethods != nullptr) {
            inner->pMethods->xClose(inner);
        }
        return rc;
    }
    wal_file.pending = new (bytes + kPendingOffset) PendingWrites(inner);
    wal_file.base.pMethods = &kWalMethods;
    return SQLITE_OK;
}

}  // namespace

const char* coalescing_wal_vfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        default_vfs = sqlite3_vfs_find(nullptr);
        if (default_vfs == nullptr) {
            throw std::runtime_error("SQLite has no default VFS");
        }
        // The default VFS's other methods read only its pAppData and
        // mxPathname from the VFS they are called with, both copied here.
        coalescing_vfs = *default_vfs;
        coalescing_vfs.pNext = nullptr;
        coalescing_vfs.zName = kVfsName;
        coalescing_vfs.szOsFile = static_cast<int>(kDefaultFileOffset) + default_vfs->szOsFile;
        coalescing_vfs.xOpen = open_file;
        if (sqlite3_vfs_register(&coalescing_vfs, 0) != SQLITE_OK) {
            throw std::runtime_error("cannot register SQLite's coalescing WAL VFS");
        }
    });
    return kVfsName;
}

WalWriteCounts wal_write_counts() noexcept {
    return {writes_requested.load(std::memory_order_relaxed), writes_issued.load(std::memory_order_relaxed)};
}

}  // namespace parley::storage
