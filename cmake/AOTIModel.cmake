# aoti_add_model(): compile a torch.export file into a C model at build time.
#
#   aoti_add_model(<name> <model.ep>
#                  [DYNAMIC <input>:<dim>=<min>..<max> ...]   # narrow an exported dynamic range
#                  [DEVICE cpu]                               # the only device so far
#                  [OPTIONS <aotic option> ...]               # passed to aotic as they are
#                  [TEST [SAMPLES <file.npz>] [RTOL <r>] [ATOL <a>]])
#
# At build time aotic turns <model.ep> into ${CMAKE_CURRENT_BINARY_DIR}/<name>.pt2 (the package)
# and <name>.h/<name>.c (the typed wrapper, under aoti/<name>/). The static library target <name>
# (alias AOTI::model::<name>) holds the wrapper and links AOTI::runtime, so
#
#   target_link_libraries(app PRIVATE <name>)
#
# gives `#include "<name>.h"`. aotic keeps the kernels it compiles (once per compiler, flags and
# target) in ${CMAKE_BINARY_DIR}/aoti-kernel-cache, shared by the project's models; an OPTIONS
# --kernel-cache overrides it. The package is rebuilt when <model.ep> or aotic changes, never
# otherwise. With TEST, CTest gets `aoti_model_<name>`, which runs the package on the saved sample
# inputs (default: <model>.samples.npz beside <model.ep>) and compares with the saved outputs.
include_guard(GLOBAL)

function(aoti_add_model name source)
  cmake_parse_arguments(PARSE_ARGV 2 ARG "TEST" "DEVICE;SAMPLES;RTOL;ATOL" "DYNAMIC;OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "aoti_add_model(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "aoti_add_model(${name}): the name must be a C identifier "
                        "(it prefixes the wrapper's functions)")
  endif()
  if(ARG_DEVICE AND NOT ARG_DEVICE STREQUAL "cpu")
    message(FATAL_ERROR "aoti_add_model(${name}): DEVICE ${ARG_DEVICE} is not supported yet; "
                        "this AOTI compiles for DEVICE cpu")
  endif()
  if(NOT TARGET AOTI::aotic OR NOT TARGET AOTI::runtime)
    message(FATAL_ERROR "aoti_add_model(${name}): AOTI::aotic/AOTI::runtime not found; "
                        "call find_package(AOTI REQUIRED) first")
  endif()

  get_filename_component(source "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(package "${CMAKE_CURRENT_BINARY_DIR}/${name}.pt2")
  set(wrapper_dir "${CMAKE_CURRENT_BINARY_DIR}/aoti/${name}")
  set(dynamic_args "")
  foreach(spec IN LISTS ARG_DYNAMIC)
    list(APPEND dynamic_args --dynamic "${spec}")
  endforeach()

  add_custom_command(
    OUTPUT "${package}" "${wrapper_dir}/${name}.h" "${wrapper_dir}/${name}.c"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${wrapper_dir}"
    COMMAND AOTI::aotic "${source}" --name "${name}" -o "${package}"
            --wrapper-dir "${wrapper_dir}" --kernel-cache "${CMAKE_BINARY_DIR}/aoti-kernel-cache"
            ${dynamic_args} ${ARG_OPTIONS}
    DEPENDS "${source}" AOTI::aotic
    COMMENT "aotic: compiling ${name} from ${source}"
    VERBATIM)

  add_library(${name} STATIC "${wrapper_dir}/${name}.c")
  target_include_directories(${name} PUBLIC "${wrapper_dir}")
  target_link_libraries(${name} PUBLIC AOTI::runtime)
  # The package sits beside the wrapper's output; keep it a dependency of the library so that
  # building any user of the model builds the package too.
  add_custom_target(${name}_package DEPENDS "${package}")
  add_dependencies(${name} ${name}_package)
  set_target_properties(${name} PROPERTIES AOTI_PACKAGE "${package}")
  add_library(AOTI::model::${name} ALIAS ${name})

  if(ARG_TEST)
    if(NOT ARG_SAMPLES)
      get_filename_component(dir "${source}" DIRECTORY)
      get_filename_component(stem "${source}" NAME_WE)
      set(ARG_SAMPLES "${dir}/${stem}.samples.npz")
    endif()
    get_filename_component(samples "${ARG_SAMPLES}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    set(tolerances "")
    if(ARG_RTOL)
      list(APPEND tolerances --rtol "${ARG_RTOL}")
    endif()
    if(ARG_ATOL)
      list(APPEND tolerances --atol "${ARG_ATOL}")
    endif()
    add_test(NAME aoti_model_${name}
             COMMAND AOTI::run "${package}" --model "${name}" --samples "${samples}" ${tolerances})
  endif()
endfunction()
