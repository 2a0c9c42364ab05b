# Runs one npusim command line and checks its exit code and output.
#   -DNPUSIM=<binary> -DARGS=<;-list> -DEXPECT=ok|error -DMATCH=<regex> [-DOUT_MATCH=<regex>] [-DERR_MATCH=<regex>]
#   [-DREMOVE_FIRST=<file>]
# An error must exit with 1 (a user error, not a crash or a signal), print exactly one line on
# stderr, and that line must match MATCH.
if(DEFINED REMOVE_FIRST)  # a file the command must not find from an earlier run
  file(REMOVE ${REMOVE_FIRST})
endif()
execute_process(COMMAND ${NPUSIM} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REPLACE ";" " " cmdline "${ARGS}")
if(EXPECT STREQUAL "ok")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "npusim ${cmdline}: exit ${rc}\n${err}")
  endif()
  if(DEFINED OUT_MATCH AND NOT out MATCHES "${OUT_MATCH}")
    message(FATAL_ERROR "npusim ${cmdline}: stdout does not match '${OUT_MATCH}':\n${out}")
  endif()
  if(DEFINED ERR_MATCH AND NOT err MATCHES "${ERR_MATCH}")
    message(FATAL_ERROR "npusim ${cmdline}: stderr does not match '${ERR_MATCH}':\n${err}")
  endif()
else()
  if(NOT rc EQUAL 1)
    message(FATAL_ERROR "npusim ${cmdline}: expected exit code 1, got '${rc}'\nstderr: ${err}")
  endif()
  string(STRIP "${err}" stripped)
  string(FIND "${stripped}" "\n" newline)
  if(NOT newline EQUAL -1)
    message(FATAL_ERROR "npusim ${cmdline}: expected one error line, got:\n${err}")
  endif()
  if(NOT stripped MATCHES "${MATCH}")
    message(FATAL_ERROR "npusim ${cmdline}: error line\n  ${stripped}\ndoes not match\n  ${MATCH}")
  endif()
endif()
