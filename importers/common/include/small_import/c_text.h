// Model text made safe for generated C. Names in a model file are untrusted:
// a graph called "x */ int evil(void) { ... } /*" must stay a comment.
#ifndef SMALL_IMPORT_C_TEXT_H
#define SMALL_IMPORT_C_TEXT_H

#include <cstddef>
#include <string>

#include "small/small.h"

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

// True when `s` is a C identifier (letters, digits, '_', no leading digit).
bool is_c_identifier(const std::string &s);

// Writes `text` to `path`; SMALL_ERR_IO with *error set on failure.
small_status write_file(const std::string &path, const std::string &text,
                        std::string *error);

// The file name part of a path ("dir/m.h" -> "m.h").
std::string basename_of(const std::string &path);

} // namespace small_import

#endif
