// Escaping for the contexts the page writes untrusted text into, and the
// SHA-256 the Content-Security-Policy names the page's own script by.
#pragma once

#include <string>
#include <string_view>

namespace tether::report {

// Text content and double-quoted attribute values: & < > " ' escaped.
void appendEscaped(std::string &Out, std::string_view Text);
std::string escapeHtml(std::string_view Text);

// JSON text placed inside <script type="application/json">: < > & and
// U+2028/U+2029 written as \u escapes, so that no "</script>" or "<!--" can
// end or change the element. Valid only for JSON text (the escapes are
// valid there because these characters only occur inside strings).
std::string escapeScriptJson(std::string_view Json);

// A URL the page may link to: http(s), file, or a relative path, never
// javascript:, data: or anything else. Returns "" when refused.
std::string safeUrl(std::string_view Url);

// base64(SHA-256(Data)), for a CSP 'sha256-…' source.
std::string sha256Base64(std::string_view Data);

// Percent-encodes what a path needs in a file: URL.
std::string fileUrl(std::string_view AbsPath);

} // namespace tether::report
