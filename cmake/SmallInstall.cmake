# Install rules, the CMake package (find_package(small)) and pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS ${SMALL_LIBRARY_TARGETS} EXPORT smallTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/small/small.h
  ${PROJECT_SOURCE_DIR}/include/small/small_plan.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/small)
install(EXPORT smallTargets NAMESPACE small::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/small)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/smallConfig.cmake.in
  ${PROJECT_BINARY_DIR}/smallConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/small)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/smallConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/smallConfig.cmake
  ${PROJECT_BINARY_DIR}/smallConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/small)

# small.pc finds its prefix relative to its own location, so the installed
# tree can be moved (cmake --install --prefix anywhere).
file(RELATIVE_PATH SMALL_PC_TO_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
# The static library's own dependencies (hwloc, the thread library where
# pthreads are not in libc).
set(SMALL_PC_THREAD_LIBS "")
if(SMALL_HWLOC)
  string(APPEND SMALL_PC_THREAD_LIBS " -lhwloc")
endif()
if(SMALL_THREADS AND CMAKE_THREAD_LIBS_INIT)
  string(APPEND SMALL_PC_THREAD_LIBS " ${CMAKE_THREAD_LIBS_INIT}")
endif()
string(STRIP "${SMALL_PC_THREAD_LIBS}" SMALL_PC_THREAD_LIBS)
configure_file(${PROJECT_SOURCE_DIR}/cmake/small.pc.in
  ${PROJECT_BINARY_DIR}/small.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/small.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
