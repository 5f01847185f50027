# Warnings for aotpack's own targets (an INTERFACE target: third-party code never links it).
# Errors only in AOTPACK_DEV_MODE, so users with a newer compiler are never blocked by a new warning.
add_library(aotpack_warnings INTERFACE)
target_compile_options(aotpack_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
  -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough)
if(AOTPACK_DEV_MODE)
  target_compile_options(aotpack_warnings INTERFACE -Werror)
endif()
