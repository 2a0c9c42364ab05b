# npusim report, opened in headless Chromium: the page's script runs without an error and marks
# the body with the charts it laid out (each with a non-empty box and data marks).
#   -DNPUSIM -DCHROMIUM -DSPEC -DDIR
if(NOT CHROMIUM)
  message("SKIPPED: chromium is not installed (scripts/setup.sh installs it)")
  return()
endif()
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
execute_process(COMMAND ${NPUSIM} sweep ${SPEC} --db ${DIR}/r.db --quiet RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sweep: exit ${rc}\n${err}")
endif()
execute_process(COMMAND ${NPUSIM} report --db ${DIR}/r.db --out ${DIR}/report --detail 2 RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "report: exit ${rc}\n${err}")
endif()
# as root Chromium needs --no-sandbox; the other switches keep it off the network
execute_process(COMMAND ${CHROMIUM} --headless --no-sandbox --disable-gpu --disable-background-networking
                        --disable-component-update --disable-sync --no-first-run --disable-extensions
                        --user-data-dir=${DIR}/profile --enable-logging=stderr --v=0
                        --dump-dom file://${DIR}/report/report.html
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
# small.yaml: 2 workloads -> 2 Pareto charts, 2 points per workload in detail (layers + roofline
# each), 3 axes -> 3 sensitivity charts
if(NOT body MATCHES "data-charts=\"13\"" OR NOT body MATCHES "data-empty-charts=\"0\""
   OR NOT body MATCHES "data-chart-kinds=\"layers:4,pareto:2,roofline:4,sensitivity:3\"")
  message(FATAL_ERROR "unexpected charts: ${body}")
endif()
