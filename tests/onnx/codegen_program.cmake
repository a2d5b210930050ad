# small_codegen_program(<target> <dir/name.c> <prefix> [NHWC]): the program
# that runs a small-codegen output (codegen_main.c) whose header is
# dir/name.h and build function <prefix>_build, compiled as C99 with
# warnings as errors against libsmall.a; NHWC: its buffers are NHWC.
include_guard(GLOBAL)
function(small_codegen_program target gen_c prefix)
  cmake_parse_arguments(arg "NHWC" "" "" ${ARGN})
  get_filename_component(dir ${gen_c} DIRECTORY)
  get_filename_component(name ${gen_c} NAME_WE)
  add_executable(${target} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/codegen_main.c
                 ${gen_c})
  set_target_properties(${target} PROPERTIES
    C_STANDARD 99 C_EXTENSIONS OFF LINKER_LANGUAGE C)
  target_include_directories(${target} PRIVATE ${dir})
  target_compile_definitions(${target} PRIVATE
    SMALL_GEN_HEADER="${name}.h" SMALL_GEN_BUILD=${prefix}_build)
  if(arg_NHWC)
    target_compile_definitions(${target} PRIVATE
      SMALL_GEN_LAYOUT=SMALL_LAYOUT_NHWC)
  endif()
  target_compile_options(${target} PRIVATE -Wall -Wextra -pedantic -Werror)
  target_link_libraries(${target} PRIVATE small_static)
endfunction()
