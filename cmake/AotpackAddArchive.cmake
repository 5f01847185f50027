# aotpack_add_archive(NAME SOURCES <.cl/.spv...> [DEVICES <list>] [OPTIONS <options>]
#                     [OUTPUT <file>] [EMBED])
#
# Builds the sources into NAME.aotpack with `aotpack build` (target NAME_archive, part of ALL).
# The device list is the cache variable AOTPACK_DEVICES when set (a user or CI overrides it like
# TORCH_XPU_ARCH_LIST: -DAOTPACK_DEVICES=pvc), else DEVICES, else @ipex-default.
# Editing a listed source, or a header it includes, rebuilds the archive and what depends on it,
# nothing else.
# EMBED: also a static library NAME that contains the archive as the symbols NAME_archive and
# NAME_archive_size (open it with aotpack_archive_open_memory) and links aotpack::runtime.
# The archive's path is in the target property AOTPACK_ARCHIVE of NAME_archive.
set(AOTPACK_DEVICES "" CACHE STRING "Device list for aotpack_add_archive(), e.g. ats-m150,pvc (empty: each call's DEVICES)")

function(aotpack_add_archive name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "EMBED" "OUTPUT" "SOURCES;DEVICES;OPTIONS")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "aotpack_add_archive(${name}): SOURCES is required")
  endif()
  set(devices "${AOTPACK_DEVICES}")
  if(devices STREQUAL "")
    string(REPLACE ";" "," devices "${ARG_DEVICES}")
  endif()
  if(devices STREQUAL "")
    set(devices "@ipex-default")
  endif()
  set(output "${ARG_OUTPUT}")
  if(NOT output)
    set(output "${CMAKE_CURRENT_BINARY_DIR}/${name}.aotpack")
  endif()
  set(sources "")
  foreach(src IN LISTS ARG_SOURCES)
    get_filename_component(abs "${src}" ABSOLUTE)
    list(APPEND sources "${abs}")
  endforeach()
  set(options "")
  if(ARG_OPTIONS)
    string(REPLACE ";" " " joined "${ARG_OPTIONS}")
    set(options "--options=${joined}")
  endif()
  # The depfile lists the headers the kernels include, so editing one rebuilds the archive
  # (Ninja and Makefile generators).
  add_custom_command(OUTPUT "${output}"
    COMMAND aotpack::aotpack build -q -d "${devices}" ${options} -o "${output}" --depfile "${output}.d" ${sources}
    DEPENDS ${sources} aotpack::aotpack
    DEPFILE "${output}.d"
    COMMENT "aotpack: building ${name}.aotpack for ${devices}"
    VERBATIM)
  add_custom_target(${name}_archive ALL DEPENDS "${output}")
  set_target_properties(${name}_archive PROPERTIES AOTPACK_ARCHIVE "${output}")
  if(ARG_EMBED)
    # An object file works in C and C++ projects alike (a .S would need enable_language(ASM)).
    set(embedded "${CMAKE_CURRENT_BINARY_DIR}/${name}_archive.o")
    add_custom_command(OUTPUT "${embedded}"
      COMMAND aotpack::aotpack embed "${output}" -o "${embedded}" --symbol "${name}_archive"
      DEPENDS "${output}" aotpack::aotpack
      COMMENT "aotpack: embedding ${name}.aotpack"
      VERBATIM)
    add_library(${name} STATIC "${embedded}")
    get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
    if("CXX" IN_LIST languages)
      set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX)
    else()
      set_target_properties(${name} PROPERTIES LINKER_LANGUAGE C)
    endif()
    target_link_libraries(${name} PUBLIC aotpack::runtime)
  endif()
endfunction()
