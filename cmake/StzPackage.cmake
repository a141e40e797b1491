# Installation of libstz: `cmake --install build --prefix P` puts the stz command in P/bin, the
# module libraries in P/lib, the public headers in P/include/libstz/<module>/, the plotting script
# and the shipped configs in P/share/libstz/, and a CMake package in P/lib/cmake/libstz:
#   find_package(libstz CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE libstz::libstz)     # or libstz::core, libstz::sim, ...
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
include(CheckCXXSourceCompiles)

set(STZ_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/libstz)
# An installed stz finds shared module libraries (-DBUILD_SHARED_LIBS=ON) beside itself.
if(NOT DEFINED CMAKE_INSTALL_RPATH)
  set(CMAKE_INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
endif()

# Called by stz_add_module: the target is exported as libstz::<name>.
function(stz_install_module name)
  set_target_properties(stz_${name} PROPERTIES EXPORT_NAME ${name})
  set_property(GLOBAL APPEND PROPERTY STZ_MODULE_TARGETS stz_${name})
  install(TARGETS stz_${name} EXPORT libstzTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()

# Eigen's fixed-size members (e.g. MeanFieldLoading's 6×6 stiffness) are aligned to
# EIGEN_MAX_STATIC_ALIGN_BYTES, which Eigen derives from the instruction set: 64 with AVX-512
# (-march=native here), 16 with plain x86-64. A consumer compiled without the library's flags would
# lay out those classes differently and crash. The package therefore exports the library's value
# as EIGEN_MAX_ALIGN_BYTES and EIGEN_MAX_STATIC_ALIGN_BYTES (Eigen's documented ABI-compatibility
# switches), so any consumer matches.
function(stz_detect_eigen_alignment out)
  set(CMAKE_REQUIRED_LIBRARIES Eigen3::Eigen)
  set(CMAKE_REQUIRED_QUIET ON)
  if(STZ_ENABLE_NATIVE)
    set(CMAKE_REQUIRED_FLAGS -march=native)
  endif()
  foreach(bytes 64 32 16 0)
    unset(STZ_EIGEN_ALIGN_IS_${bytes} CACHE)
    check_cxx_source_compiles("
      #include <Eigen/Core>
      static_assert(EIGEN_MAX_STATIC_ALIGN_BYTES == ${bytes});
      int main() { return 0; }" STZ_EIGEN_ALIGN_IS_${bytes})
    if(STZ_EIGEN_ALIGN_IS_${bytes})
      set(${out} ${bytes} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "could not determine Eigen's EIGEN_MAX_STATIC_ALIGN_BYTES for this build")
endfunction()

# Called once, after libstz/ and apps/: the umbrella target, the files and the package.
function(stz_install_package)
  # libstz::libstz: every module (link this unless you want to pick modules).
  add_library(stz_libstz INTERFACE)
  add_library(stz::libstz ALIAS stz_libstz)
  get_property(modules GLOBAL PROPERTY STZ_MODULE_TARGETS)
  target_link_libraries(stz_libstz INTERFACE ${modules})
  set_target_properties(stz_libstz PROPERTIES EXPORT_NAME libstz)
  install(TARGETS stz_libstz EXPORT libstzTargets)

  stz_detect_eigen_alignment(STZ_EIGEN_ALIGN_BYTES)
  set(STZ_EIGEN_ALIGN_BYTES ${STZ_EIGEN_ALIGN_BYTES} PARENT_SCOPE)
  # Only for consumers of the installed package: inside this build it equals Eigen's default.
  # Both: Eigen caps the static alignment at the ISA's own unless it is given explicitly.
  target_compile_definitions(stz_core INTERFACE
    $<INSTALL_INTERFACE:EIGEN_MAX_ALIGN_BYTES=${STZ_EIGEN_ALIGN_BYTES}>
    $<INSTALL_INTERFACE:EIGEN_MAX_STATIC_ALIGN_BYTES=${STZ_EIGEN_ALIGN_BYTES}>)

  install(DIRECTORY ${PROJECT_SOURCE_DIR}/libstz/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/libstz
          FILES_MATCHING PATTERN "*.hpp")
  install(TARGETS stz stz-inclusion RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/plot_results.py
          DESTINATION ${CMAKE_INSTALL_DATADIR}/libstz)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/libstz/configs
          FILES_MATCHING PATTERN "*.yaml")

  install(EXPORT libstzTargets NAMESPACE libstz:: DESTINATION ${STZ_INSTALL_CMAKEDIR})
  if(BUILD_SHARED_LIBS)
    set(STZ_PACKAGE_STATIC OFF)
  else()
    set(STZ_PACKAGE_STATIC ON)
  endif()
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/libstzConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/libstzConfig.cmake
                                INSTALL_DESTINATION ${STZ_INSTALL_CMAKEDIR})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/libstzConfigVersion.cmake
                                   COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/libstzConfig.cmake
                ${PROJECT_BINARY_DIR}/libstzConfigVersion.cmake
          DESTINATION ${STZ_INSTALL_CMAKEDIR})
endfunction()
