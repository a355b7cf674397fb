#include "core/tools/html_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <utility>

namespace parley::core {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kNamedEntities{{
    {"amp", "&"},
    {"lt", "<"},
    {"gt", ">"},
    {"quot", "\""},
    {"apos", "'"},
    {"nbsp", " "},
    {"ndash", "\xE2\x80\x93"},
    {"mdash", "\xE2\x80\x94"},
    {"hellip", "\xE2\x80\xA6"},
    {"lsquo", "\xE2\x80\x98"},
    {"rsquo", "\xE2\x80\x99"},
    {"ldquo", "\xE2\x80\x9C"},
    {"rdquo", "\xE2\x80\x9D"},
    {"laquo", "\xC2\xAB"},
    {"raquo", "\xC2\xBB"},
    {"copy", "\xC2\xA9"},
    {"reg", "\xC2\xAE"},
    {"trade", "\xE2\x84\xA2"},
    {"euro", "\xE2\x82\xAC"},
    {"middot", "\xC2\xB7"},
}};

// Elements whose whole content is dropped.
constexpr std::array<std::string_view, 6> kSkipped{"script", "style", "head", "noscript", "template", "svg"};

// Elements that start or end a line.
constexpr std::array<std::string_view, 33> kBlocks{
    "address", "article", "aside", "blockquote", "br", "dd",  "div",     "dl",    "dt",    "fieldset", "figcaption",
    "figure",  "footer",  "form",  "h1",         "h2", "h3",  "h4",      "h5",    "h6",    "header",   "hr",
    "li",      "main",    "nav",   "ol",         "p",  "pre", "section", "table", "title", "tr",       "ul"};

constexpr std::array<std::string_view, 2> kCells{"td", "th"};

constexpr char32_t kMaxCodePoint = 0x10FFFF;
constexpr char32_t kSurrogateFirst = 0xD800;
constexpr char32_t kSurrogateLast = 0xDFFF;
constexpr std::size_t kMaxEntityLength = 32;

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void append_utf8(std::string& out, char32_t code) {
    if (code == 0 || code > kMaxCodePoint || (code >= kSurrogateFirst && code <= kSurrogateLast)) {
        code = 0xFFFD;
    }
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

// Case-insensitive search for `needle` (lower case) in `text` from `from`.
std::size_t find_ci(std::string_view text, std::string_view needle, std::size_t from) {
    if (needle.empty() || text.size() < needle.size()) {
        return std::string_view::npos;
    }
    for (std::size_t i = from; i + needle.size() <= text.size(); ++i) {
        std::size_t j = 0;
        while (j < needle.size() && lower(text[i + j]) == needle[j]) {
            ++j;
        }
        if (j == needle.size()) {
            return i;
        }
    }
    return std::string_view::npos;
}

// The end of the tag opened at `start` ('<'): the index after its '>', skipping quoted values.
std::size_t tag_end(std::string_view html, std::size_t start) {
    char quote = 0;
    for (std::size_t i = start + 1; i < html.size(); ++i) {
        const char c = html[i];
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            }
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            return i + 1;
        }
    }
    return html.size();
}

// Builds the output: collapses whitespace, keeps at most one line break in a row, trims lines.
class TextSink {
public:
    void text(std::string_view piece) {
        for (const char c : piece) {
            if (is_space(c)) {
                pending_space_ = true;
                continue;
            }
            if (pending_break_ && !out_.empty()) {
                out_ += '\n';
            } else if (pending_space_ && !out_.empty() && out_.back() != '\n') {
                out_ += ' ';
            }
            pending_break_ = false;
            pending_space_ = false;
            out_ += c;
        }
    }
    void line_break() {
        pending_break_ = true;
        pending_space_ = false;
    }
    void space() { pending_space_ = true; }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
    bool pending_space_ = false;
    bool pending_break_ = false;
};

}  // namespace

std::string HtmlText::decode_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c != '&') {
            out += c;
            ++i;
            continue;
        }
        const std::size_t semicolon = text.find(';', i + 1);
        if (semicolon == std::string_view::npos || semicolon - i > kMaxEntityLength) {
            out += c;
            ++i;
            continue;
        }
        const std::string_view name = text.substr(i + 1, semicolon - i - 1);
        bool decoded = false;
        if (name.size() > 1 && name[0] == '#') {
            const bool hex = name[1] == 'x' || name[1] == 'X';
            const std::string_view digits = name.substr(hex ? 2 : 1);
            std::uint32_t code = 0;
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
            if (!digits.empty() && ec == std::errc{} && end == digits.data() + digits.size()) {
                append_utf8(out, static_cast<char32_t>(code));
                decoded = true;
            }
        } else {
            for (const auto& [entity, replacement] : kNamedEntities) {
                if (entity == name) {
                    out += replacement;
                    decoded = true;
                    break;
                }
            }
        }
        if (decoded) {
            i = semicolon + 1;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

std::string HtmlText::extract(std::string_view html) {
    TextSink sink;
    std::size_t i = 0;
    while (i < html.size()) {
        const std::size_t open = html.find('<', i);
        const std::size_t text_end = open == std::string_view::npos ? html.size() : open;
        if (text_end > i) {
            sink.text(decode_entities(html.substr(i, text_end - i)));
        }
        if (open == std::string_view::npos) {
            break;
        }
        if (html.compare(open, 4, "<!--") == 0) {
            const std::size_t close = html.find("-->", open + 4);
            i = close == std::string_view::npos ? html.size() : close + 3;
            continue;
        }
        // A '<' that does not start a tag is text.
        const std::size_t after = open + 1;
        if (after >= html.size() || !(std::isalpha(static_cast<unsigned char>(html[after])) != 0 ||
                                      html[after] == '/' || html[after] == '!' || html[after] == '?')) {
            sink.text("<");
            i = after;
            continue;
        }
        const std::size_t end = tag_end(html, open);
        const bool closing = html[after] == '/';
        std::size_t name_start = closing ? after + 1 : after;
        std::size_t name_end = name_start;
        while (name_end < end && (std::isalnum(static_cast<unsigned char>(html[name_end])) != 0)) {
            ++name_end;
        }
        std::string name(html.substr(name_start, name_end - name_start));
        std::transform(name.begin(), name.end(), name.begin(), lower);
        i = end;
        if (!closing && contains(kSkipped, name)) {
            const bool self_closing = end >= 2 && html[end - 2] == '/';
            if (self_closing) {
                continue;
            }
            const std::size_t close = find_ci(html, "</" + name, end);
            if (close != std::string_view::npos) {
                i = tag_end(html, close);
            } else if (name == "head") {
                // </head> is optional: the head then ends where the body starts.
                const std::size_t body = find_ci(html, "<body", end);
                i = body == std::string_view::npos ? end : body;
            } else {
                i = html.size();
            }
            sink.line_break();
            continue;
        }
        if (contains(kBlocks, name)) {
            sink.line_break();
        } else if (contains(kCells, name)) {
            sink.space();
        }
    }
    return sink.take();
}

}  // namespace parley::core
