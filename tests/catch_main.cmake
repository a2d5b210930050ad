# The Catch2 runner (tests/catch_main.cpp), compiled once per build tree and
# linked into every Catch2 test program: Catch2's session code takes about
# 20 s to compile, and four programs used to compile it each.
if(NOT TARGET small_catch_main)
  find_package(Catch2 2 REQUIRED)
  add_library(small_catch_main OBJECT ${PROJECT_SOURCE_DIR}/tests/catch_main.cpp)
  target_include_directories(small_catch_main PRIVATE ${PROJECT_SOURCE_DIR}/kernels)
  target_link_libraries(small_catch_main PUBLIC Catch2::Catch2)
endif()
