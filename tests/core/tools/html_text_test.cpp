#include "core/tools/html_text.hpp"

#include <catch2/catch.hpp>

using parley::core::HtmlText;

TEST_CASE("html text drops head, script, style and comments and keeps the readable text", "[tools]") {
    const std::string html = R"(<!DOCTYPE html>
<html><head><title>Title</title><style>body { color: red; }</style>
<script>var x = "<p>not text</p>";</script></head>
<body>
  <!-- a comment <b>hidden</b> -->
  <h1>Heading</h1>
  <p>First   paragraph
     with <b>bold</b> and <a href="/x?a=1&amp;b=2">a link</a>.</p>
  <SCRIPT type="text/javascript">alert("x")</SCRIPT>
  <ul><li>one</li><li>two</li></ul>
  <table><tr><td>a</td><td>b</td></tr></table>
  <noscript>enable js</noscript>
</body></html>)";
    CHECK(HtmlText::extract(html) == "Heading\nFirst paragraph with bold and a link.\none\ntwo\na b");
}

TEST_CASE("html text decodes the common character references", "[tools]") {
    CHECK(HtmlText::decode_entities("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&#39;") == "a & b <c> \"d\" 'e'");
    CHECK(HtmlText::decode_entities("&#233;&#xE9;&#X20AC;&mdash;&nbsp;") ==
          "\xC3\xA9\xC3\xA9\xE2\x82\xAC\xE2\x80\x94 ");
    CHECK(HtmlText::decode_entities("&unknown; &amp &#xZZ; & alone") == "&unknown; &amp &#xZZ; & alone");
    CHECK(HtmlText::decode_entities("&#0;&#xD800;&#1114112;") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("html text tolerates malformed markup", "[tools]") {
    CHECK(HtmlText::extract("a < b and c<d") == "a < b and c");
    CHECK(HtmlText::extract("x <!-- never closed") == "x");
    CHECK(HtmlText::extract("<p title='a>b'>quoted</p>") == "quoted");
    CHECK(HtmlText::extract("<script>no end") == "");
    CHECK(HtmlText::extract("<head><title>t</title><body>body text") == "body text");
    CHECK(HtmlText::extract("<br/>line<br>break<hr>") == "line\nbreak");
    CHECK(HtmlText::extract("plain text only") == "plain text only");
    CHECK(HtmlText::extract("") == "");
}

TEST_CASE("html text collapses whitespace and never starts or ends with it", "[tools]") {
    CHECK(HtmlText::extract("  <div>\n\n a \t b </div>\n\n<div></div><div> c </div>  ") == "a b\nc");
}
