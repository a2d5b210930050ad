# Regenerates the committed C (regenerate.cmake) into WORK and requires the
# same bytes, so the firmware never links C an older generator wrote.
# -DSMALL_CODEGEN=... -DCOMMITTED=<this folder> -DWORK=...
file(MAKE_DIRECTORY ${WORK})
set(OUT_DIR ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/regenerate.cmake)
foreach(target IN LISTS SMALL_FIRMWARE_PACKING_TARGETS)
  foreach(net IN LISTS SMALL_FIRMWARE_INT8_NETS)
    foreach(file ${target}/${net}_int8.c ${target}/${net}_int8.h
                 ${target}/${net}_plan.c ${target}/${net}_plan.h)
      execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                              ${COMMITTED}/${file} ${WORK}/${file}
                      RESULT_VARIABLE differs)
      if(differs)
        message(FATAL_ERROR "tests/firmware/generated/${file} is stale: "
                            "regenerate it as regenerate.cmake says")
      endif()
    endforeach()
  endforeach()
endforeach()
message(STATUS "the committed generated C is what small-codegen writes")
