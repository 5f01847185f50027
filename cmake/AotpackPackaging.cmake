# `cpack -G DEB` (run from the build directory) makes aotpack_<version>_amd64.deb: the CLI,
# libaotpack_rt, headers, the CMake package, pkg-config, devlists/ and the Python module's sources.
set(CPACK_PACKAGE_NAME aotpack)
set(CPACK_PACKAGE_VENDOR "aotpack developers")
set(CPACK_PACKAGE_CONTACT "aotpack developers <aotpack@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Run-time needs: ocloc (intel-opencl-icd), the Level Zero loader, zstd. SPIRV-Tools is linked in
# statically; xxHash is header-only.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "intel-opencl-icd, libze1, libze-dev, libzstd1, libcurl4, libssl3, libzip4, libc6, libstdc++6")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "spirv-tools, llvm-spirv-14, clang")
include(CPack)
