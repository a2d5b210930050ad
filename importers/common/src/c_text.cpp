#include "small_import/c_text.h"

#include <cstdio>
#include <cstring>
#include <memory>

namespace small_import {
namespace {

bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

// Safe inside a block comment whatever surrounds it: no '*' (so no "*/"
// and no "/*"), no '?' (trigraphs), no '\\' (line splices), nothing outside
// printable ASCII.
bool comment_safe(unsigned char c) {
  return is_alnum(c) ||
         (c != 0 && std::strchr(" _-.,:;/()[]{}<>=+#@!&%|~^$", c) != nullptr);
}

} // namespace

std::string c_comment_text(const std::string &text, size_t max_bytes) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  const size_t shown = text.size() < max_bytes ? text.size() : max_bytes;
  for (size_t i = 0; i < shown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (comment_safe(c)) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (shown < text.size()) {
    out += "...(" + std::to_string(text.size()) + " bytes)";
  }
  return out;
}

std::string c_identifier_part(const std::string &text, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < max_bytes; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += is_alnum(c) ? static_cast<char>(c) : '_';
  }
  return out;
}

bool is_c_identifier(const std::string &s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) {
    return false;
  }
  return c_identifier_part(s, s.size()) == s;
}

small_status write_file(const std::string &path, const std::string &text,
                        std::string *error) {
  std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "w"),
                                           &std::fclose);
  if (!f) {
    *error = "cannot open '" + path + "' for writing";
    return SMALL_ERR_IO;
  }
  const bool written =
      std::fwrite(text.data(), 1, text.size(), f.get()) == text.size();
  if (std::fclose(f.release()) != 0 || !written) {
    *error = "writing '" + path + "' failed";
    return SMALL_ERR_IO;
  }
  return SMALL_OK;
}

std::string basename_of(const std::string &path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace small_import
