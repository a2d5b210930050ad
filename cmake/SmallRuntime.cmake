# libsmall_runtime.so: the one shared library the Python package (python/)
# loads. It holds the core and, when they are built, the TFLite and ONNX
# importers, so that a model file can be imported and run through one C ABI.
# The importers are static libraries of position-independent objects; they
# are linked whole so that every entry point of small_tflite.h and
# small_onnx.h is present even though nothing in the library calls it. The
# version script keeps the exports to the small_* C API (the importers'
# C++ internals, flatbuffers and libstdc++ instantiations stay local).
if(SMALL_BARE_METAL)
  return()
endif()
add_library(small_runtime SHARED ${SMALL_LIBRARY_OBJECTS})
set_target_properties(small_runtime PROPERTIES
  LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/small.map)
target_link_options(small_runtime PRIVATE
  -Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/small.map)
small_link_threads(small_runtime)
foreach(importer small_tflite small_onnx)
  if(TARGET ${importer})
    target_link_libraries(small_runtime
      PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${importer}>")
  endif()
endforeach()
