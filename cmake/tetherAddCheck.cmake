# tether_add_check(<target> [ARGS <argument>...])
#
# Adds the build target <target>-tether, which runs
#   tether check -p <top build dir> [ARGS...] <target's C/C++ sources>
# with the project's compilation database (compile_commands.json). The
# target's EXPORT_COMPILE_COMMANDS property is switched on, so the database
# is written even if CMAKE_EXPORT_COMPILE_COMMANDS is not set (Ninja and
# Makefile generators only, as CMake writes the database for these only).
# The sources are read when the build system is generated, so sources added
# to <target> after this call are checked too. <target>-tether depends on
# <target>: generated sources and headers exist when it runs. It fails the
# build when tether reports findings (exit code 1); add ARGS --exit-zero to
# only report them.
function(tether_add_check target)
  cmake_parse_arguments(PARSE_ARGV 1 TETHER "" "" "ARGS")
  if(TETHER_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tether_add_check(${target}): unexpected arguments "
                        "'${TETHER_UNPARSED_ARGUMENTS}' (usage: tether_add_check(<target> "
                        "[ARGS <tether check arguments>...]))")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "tether_add_check: '${target}' is not a target")
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY" OR type STREQUAL "UTILITY")
    message(FATAL_ERROR "tether_add_check: '${target}' (${type}) compiles no sources")
  endif()
  if(NOT CMAKE_GENERATOR MATCHES "Ninja|Makefiles")
    message(FATAL_ERROR "tether_add_check needs a compilation database, which CMake writes "
                        "for the Ninja and Makefile generators only (this is ${CMAKE_GENERATOR})")
  endif()
  set_target_properties(${target} PROPERTIES EXPORT_COMPILE_COMMANDS ON)
  get_target_property(source_dir ${target} SOURCE_DIR)
  # Relative source paths are relative to the target's source directory, the
  # command's working directory.
  set(sources "$<FILTER:$<TARGET_PROPERTY:${target},SOURCES>,INCLUDE,\\.(c|C|cc|cpp|cxx|c\\+\\+|CC|CPP|cp)$>")
  add_custom_target(${target}-tether
    COMMAND tether::tether check -p ${CMAKE_BINARY_DIR} ${TETHER_ARGS} ${sources}
    WORKING_DIRECTORY ${source_dir}
    COMMENT "tether check: ${target}"
    COMMAND_EXPAND_LISTS
    VERBATIM
    USES_TERMINAL)
  add_dependencies(${target}-tether ${target})
endfunction()
