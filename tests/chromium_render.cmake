# Shared by the report tests: opens HTML in headless Chromium and checks that the page's script ran
# without an error or console output. Sets ${OUT_BODY} to the rendered <body ...> tag, whose
# data-* attributes the caller checks (the charts it laid out).
function(npusim_render_in_chromium CHROMIUM HTML DIR OUT_BODY)
  # as root Chromium needs --no-sandbox; the other switches keep it off the network
  execute_process(COMMAND ${CHROMIUM} --headless --no-sandbox --disable-gpu --disable-background-networking
                          --disable-component-update --disable-sync --no-first-run --disable-extensions
                          --user-data-dir=${DIR}/profile --enable-logging=stderr --v=0
                          --dump-dom file://${HTML}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE dom ERROR_VARIABLE log TIMEOUT 120)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "chromium: exit ${rc}\n${log}")
  endif()
  string(REGEX MATCH "<body[^>]*>" body "${dom}")
  if(NOT body MATCHES "data-rendered=\"ok\"")
    message(FATAL_ERROR "the report's script did not finish: ${body}\n${log}")
  endif()
  if(log MATCHES "Uncaught|CONSOLE")
    string(REGEX MATCHALL "[^\n]*(Uncaught|CONSOLE)[^\n]*" lines "${log}")
    message(FATAL_ERROR "script errors or console output while rendering:\n${lines}")
  endif()
  set(${OUT_BODY} "${body}" PARENT_SCOPE)
endfunction()
