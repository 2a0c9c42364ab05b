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
include(${CMAKE_CURRENT_LIST_DIR}/../chromium_render.cmake)
npusim_render_in_chromium(${CHROMIUM} ${DIR}/report/report.html ${DIR} body)
# small.yaml: 2 workloads -> 2 Pareto charts, 2 points per workload in detail (layers + roofline
# each), 3 axes -> 3 sensitivity charts
if(NOT body MATCHES "data-charts=\"13\"" OR NOT body MATCHES "data-empty-charts=\"0\""
   OR NOT body MATCHES "data-chart-kinds=\"layers:4,pareto:2,roofline:4,sensitivity:3\"")
  message(FATAL_ERROR "unexpected charts: ${body}")
endif()
