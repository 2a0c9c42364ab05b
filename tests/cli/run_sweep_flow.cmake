# The sweep workflow through the command line, as a user runs it:
#   sweep -> resume -> pareto -> export -> report -> shards + merge
# and a bad spec is an error before anything runs (no database is created).
#   -DNPUSIM=<binary> -DSPECS=<tests/sweep/data> -DDIR=<scratch directory>
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})

function(run expect_rc out_var)
  execute_process(COMMAND ${NPUSIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REPLACE ";" " " cmd "${ARGN}")
  if(NOT rc EQUAL ${expect_rc})
    message(FATAL_ERROR "npusim ${cmd}: exit ${rc}, expected ${expect_rc}\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${out_var}_err "${err}" PARENT_SCOPE)
endfunction()
function(expect text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: does not match '${regex}':\n${text}")
  endif()
endfunction()

# a bad spec: one error line, exit 1, and nothing written
run(1 out sweep ${SPECS}/zip_unequal.yaml --db ${DIR}/bad.db)
expect("${out_err}" "^npusim: error: [^\n]*zip_unequal.yaml:6:9: [^\n]*zip group of unequal lengths[^\n]*\n$" "bad spec")
if(EXISTS ${DIR}/bad.db)
  message(FATAL_ERROR "a sweep with a bad spec created its database")
endif()

# the sweep, then a rerun that resumes
run(0 out sweep ${SPECS}/small.yaml --db ${DIR}/r.db -j 2)
expect("${out}" "sweep 'small' \\(engine analytic\\): 8 points \\(2 skipped by constraints\\) x 2 workloads = 12 tasks" "plan")
expect("${out}" "ran 12 tasks .*: 12 done, 0 failed; 0 already in the database" "first run")
expect("${out_err}" "sweep: 12/12 \\(100%\\)" "progress line (stderr is not a terminal)")
run(0 out sweep ${SPECS}/small.yaml --db ${DIR}/r.db)
expect("${out}" "ran 0 tasks .*12 already in the database.*results: [^\n]*r.db \\(12 rows: 12 done, 0 failed\\)" "rerun")

# pareto: a set per workload, both metrics in every format
run(0 out pareto --db ${DIR}/r.db --x area --y latency)
expect("${out}" "Pareto set of area_mm2 \\(min\\) and latency_s \\(min\\) for gemm:64,64,64/b1: [0-9]+ of 6 points" "pareto gemm")
expect("${out}" "for mlp/b2: [0-9]+ of 6 points" "pareto mlp")
run(0 out pareto --db ${DIR}/r.db --x area --y tops_per_watt --workload mlp --format csv)
expect("${out}" "^workload,engine,config_hash,area_mm2,tops_per_watt,core.pe_array.rows,core.pe_array.cols,core.scratchpad.size_kib\nmlp/b2,analytic,[0-9a-f]+," "pareto csv")
run(0 out pareto --db ${DIR}/r.db --workload gemm:64,64,64 --format json)
expect("${out}" "\"pareto\": \\[.*\"config_hash\"" "pareto json")
run(1 out pareto --db ${DIR}/r.db --x speed)
expect("${out_err}" "--x speed: unknown metric" "unknown metric")
run(1 out pareto --db ${DIR}/absent.db)
expect("${out_err}" "--db [^\n]*absent.db: no such results database" "absent database")

# export: one CSV line or JSON object per row
run(0 out export --db ${DIR}/r.db --format csv)
string(REGEX MATCHALL "\n[0-9a-f]+,[^\n]*,done," rows "${out}")
list(LENGTH rows n)
if(NOT n EQUAL 12)
  message(FATAL_ERROR "export csv: ${n} done rows, expected 12:\n${out}")
endif()
expect("${out}" "^config_hash,workload,engine,sweep,model,batch,seq,dtype,status,core.pe_array.rows,core.pe_array.cols,core.scratchpad.size_kib,latency_s,energy_j,area_mm2,edp," "csv header")
run(0 out export --db ${DIR}/r.db --format json --status done --workload mlp --with-result --out ${DIR}/mlp.json)
file(READ ${DIR}/mlp.json json)
string(JSON len LENGTH "${json}")
string(JSON cycles GET "${json}" 0 metrics cycles)
string(JSON layers LENGTH "${json}" 0 result layers)
if(NOT len EQUAL 6 OR NOT cycles MATCHES "^[0-9]+$" OR layers LESS 1)
  message(FATAL_ERROR "export json: ${len} rows, cycles ${cycles}, ${layers} layers")
endif()

# report
run(0 out report --db ${DIR}/r.db --out ${DIR}/report)
expect("${out}" "wrote [^\n]*report.html: 12 points in 2 workload groups, [0-9]+ in detail, 3 axes" "report")
file(READ ${DIR}/report/report.html html)
expect("${html}" "data-kind='pareto'.*data-kind='layers'.*data-kind='roofline'.*data-kind='sensitivity'" "report charts")
run(1 out report --db ${DIR}/r.db --out ${DIR}/report --point 0123456789abcdef)
expect("${out_err}" "--point 0123456789abcdef: no finished row" "unknown point")

# shards into separate databases, merged into one that holds the whole sweep
foreach(i 0 1)
  run(0 out sweep ${SPECS}/small.yaml --shard ${i}/2 --db ${DIR}/shard${i}.db --quiet)
  expect("${out}" "shard ${i}/2: 6 of the tasks" "shard ${i}")
endforeach()
run(0 out merge --db ${DIR}/merged.db ${DIR}/shard0.db ${DIR}/shard1.db ${DIR}/r.db)
expect("${out}" "shard0.db: 6 rows: 6 added.*shard1.db: 6 rows: 6 added.*r.db: 12 rows: 0 added, 0 replaced a failed row, 12 already present.*merged.db: 12 rows \\(12 done, 0 failed\\)" "merge")
run(1 out merge --db ${DIR}/merged.db ${DIR}/merged.db)
expect("${out_err}" "is the output database itself" "merge into itself")
