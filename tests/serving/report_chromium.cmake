# npusim serve --compare ... --report DIR, opened in headless Chromium: the page's script runs
# without an error and marks the body with the charts it laid out (each with a non-empty box and
# data marks).
#   -DNPUSIM -DCHROMIUM -DTRACE -DDIR
if(NOT CHROMIUM)
  message("SKIPPED: chromium is not installed (scripts/setup.sh installs it)")
  return()
endif()
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
execute_process(COMMAND ${NPUSIM} serve --arch h100_sxm --model llama2-70b --tp 4 --intra-node-gb-per-s 450
                        --replicas 2 --trace ${TRACE} --limit 600 --compare scheduler=continuous,chunked
                        --slo ttft=2s,tpot=200ms --report ${DIR}/report --quiet
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "serve: exit ${rc}\n${err}")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/../chromium_render.cmake)
npusim_render_in_chromium(${CHROMIUM} ${DIR}/report/serving.html ${DIR} body)
# 3 CDFs, TTFT and TPOT over time, KV occupancy, queue, and 2 comparison charts
if(NOT body MATCHES "data-charts=\"9\"" OR NOT body MATCHES "data-empty-charts=\"0\""
   OR NOT body MATCHES "data-chart-kinds=\"cdf:3,compare:2,kv:1,over-time:2,queue:1\"")
  message(FATAL_ERROR "unexpected charts: ${body}")
endif()
