# npusim_embed_text(OUT_CPP NAMESPACE FUNCTION FILES...)
# Generates a C++ source holding the given text files as (name, text) pairs, so presets
# ship inside the binary ("embedded defaults") and a build re-embeds them when they change.
function(npusim_embed_text out_cpp function_name)
  set(files ${ARGN})
  add_custom_command(
    OUTPUT ${out_cpp}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_cpp} -DFUNCTION=${function_name} "-DFILES=${files}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake
    COMMENT "Embedding ${function_name} text files"
    VERBATIM)
endfunction()
