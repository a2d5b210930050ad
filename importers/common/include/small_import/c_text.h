// Model text made safe for generated C. Names in a model file are untrusted:
// a graph called "x */ int evil(void) { ... } /*" must stay a comment.
#ifndef SMALL_IMPORT_C_TEXT_H
#define SMALL_IMPORT_C_TEXT_H

#include <cstddef>
#include <string>

namespace small_import {

// Text to place between /* and */: letters, digits, space and punctuation
// that can neither close the comment nor form a trigraph or line splice are
// kept; every other byte (including '*', '?', '\\', quotes, control and
// non-ASCII bytes) is written as \xNN. Longer than max_bytes: cut there and
// marked "...(N bytes)".
std::string c_comment_text(const std::string &text, size_t max_bytes = 120);

// A fragment usable inside a C identifier: [A-Za-z0-9_] kept, every other
// byte becomes '_', at most max_bytes long. Callers prefix it with something
// unique (two names may sanitize to the same fragment) that does not start
// with a digit.
std::string c_identifier_part(const std::string &text, size_t max_bytes = 40);

} // namespace small_import

#endif
