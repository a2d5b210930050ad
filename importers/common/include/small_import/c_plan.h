// C99 code generation from a compiled plan (small_plan.h): the plan's arrays
// and structs as const initializers, and two functions, <prefix>_init (binds
// the kernels) and <prefix>_run (one inference in a static arena), so that
// firmware runs the model with no heap and none of the library's building,
// planning or packing code.
#ifndef SMALL_IMPORT_C_PLAN_H
#define SMALL_IMPORT_C_PLAN_H

#include <string>
#include <vector>

#include "small/small_plan.h"

namespace small_import {

// Writes `c_path` and `h_path` for `plan`, whose step i came from layer
// step_names[i] (comments only); `target` and `format` name the kernel
// configuration and the model format in comments. On failure returns the
// status and sets *error.
small_status write_plan_c_source(const small_plan &plan,
                                 const std::vector<std::string> &step_names,
                                 const std::string &target,
                                 const std::string &format,
                                 const std::string &prefix,
                                 const std::string &c_path,
                                 const std::string &h_path, std::string *error);

// The same for a plan exported from a finalized network: the step names come
// from the export, and an empty `target` means this build's kernel ISA.
small_status write_exported_plan_c_source(
    const small_plan_export *exported, const std::string &target,
    const std::string &format, const std::string &prefix,
    const std::string &c_path, const std::string &h_path, std::string *error);

} // namespace small_import

#endif
