#pragma once

#include <span>
#include <string_view>

namespace parley::server {

// One file of the built-in chat page (server/web), embedded in the binary at
// build time by cmake/EmbedFiles.cmake, which generates web_assets().
struct WebAsset {
    std::string_view path;          // the URL path: "/" for index.html, else "/assets/<name>"
    std::string_view content_type;  // with charset for text
    std::string_view etag;          // strong, quoted: a SHA-256 prefix of the bytes served
    std::string_view version;       // the fingerprint pages put in "?v=" when they refer to it
    std::string_view body;
};

// Every embedded file, in the order server/CMakeLists.txt lists them.
[[nodiscard]] std::span<const WebAsset> web_assets();

}  // namespace parley::server
