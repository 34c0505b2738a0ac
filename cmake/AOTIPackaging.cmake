# Installs the CMake package: find_package(AOTI) from an install prefix (AOTIConfig.cmake,
# AOTIConfigVersion.cmake, AOTITargets.cmake, AOTIModel.cmake), and from this build tree
# (AOTIConfig.cmake generated into the build folder, pointing at the build's targets).
include(CMakePackageConfigHelpers)

set(AOTI_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/AOTI")

install(EXPORT AOTITargets NAMESPACE AOTI:: DESTINATION "${AOTI_CMAKE_INSTALL_DIR}")
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/AOTIConfig.cmake.in" "${PROJECT_BINARY_DIR}/install/AOTIConfig.cmake"
  INSTALL_DESTINATION "${AOTI_CMAKE_INSTALL_DIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/AOTIConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/install/AOTIConfig.cmake"
              "${PROJECT_BINARY_DIR}/AOTIConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/AOTIModel.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/AOTIDependencies.cmake"
        DESTINATION "${AOTI_CMAKE_INSTALL_DIR}")

# Build tree: the same config file, reading targets exported from this build.
export(EXPORT AOTITargets NAMESPACE AOTI:: FILE "${PROJECT_BINARY_DIR}/AOTITargets.cmake")
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/AOTIConfig.cmake.in" "${PROJECT_BINARY_DIR}/AOTIConfig.cmake"
  INSTALL_DESTINATION "${PROJECT_BINARY_DIR}" INSTALL_PREFIX "${PROJECT_BINARY_DIR}")
file(COPY "${PROJECT_SOURCE_DIR}/cmake/AOTIModel.cmake" "${PROJECT_SOURCE_DIR}/cmake/AOTIDependencies.cmake"
     DESTINATION "${PROJECT_BINARY_DIR}")
