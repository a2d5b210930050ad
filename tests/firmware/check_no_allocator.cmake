# Fails when a firmware image links a memory allocator: the compiled-plan
# images must use no heap, and an image without malloc, free, operator new
# or sbrk cannot. Reads the image's symbol table with the toolchain's nm.
#   cmake -DNM=<arm-none-eabi-nm> -DELF=<image> -P check_no_allocator.cmake
foreach(var NM ELF)
  if(NOT ${var})
    message(FATAL_ERROR "check_no_allocator.cmake: ${var} is not set")
  endif()
endforeach()
execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE symbols
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "check_no_allocator.cmake: ${NM} ${ELF} failed")
endif()
# newlib's entry points and their reentrant forms, its system break, and
# C++'s operator new / delete (every mangled form starts _Znw, _Zna, _Zdl,
# _Zda).
string(REGEX MATCHALL
  "[ \t](_?(malloc|calloc|realloc|free|memalign|_sbrk|sbrk)(_r)?|_Z(nw|na|dl|da)[A-Za-z0-9_]*)\n"
  found "${symbols}")
if(found)
  string(REPLACE "\n" "" found "${found}")
  message(FATAL_ERROR "${ELF} links an allocator:${found}")
endif()
message(STATUS "${ELF}: no allocator linked")
