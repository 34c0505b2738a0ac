# aoti_embed_files(<target> <symbol-prefix> FILES <file>...)
#
# Compiles the given text files into <target> as NUL-terminated C strings, so aotic carries its
# templates and kernels with it and needs no data directory at run time. For a file "abi.h" and a
# prefix "aoti_tpl" the generated source defines
#     const char aoti_tpl_abi_h[];          /* the file's bytes, NUL-terminated */
#     const unsigned long aoti_tpl_abi_h_len;
# (every character of the file name that is not alphanumeric becomes '_'). Declare what you use
# with extern in your own header. Regenerated whenever a file changes.
function(aoti_embed_files target prefix)
  cmake_parse_arguments(PARSE_ARGV 2 ARG "" "" "FILES")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_${prefix}_embedded.c")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DPREFIX=${prefix} "-DFILES=${ARG_FILES}"
            -P "${AOTI_EMBED_SCRIPT}"
    DEPENDS ${ARG_FILES} "${AOTI_EMBED_SCRIPT}"
    COMMENT "Embedding ${prefix} files into ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()

set(AOTI_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/AOTIEmbedScript.cmake")
