# docs/examples/sweep-array.sbatch and sweep-merge.sbatch, run as Slurm would run them: three
# array tasks with the variables sbatch sets (Slurm itself is not installed here), then the merge.
#   -DNPUSIM -DSPEC -DEXAMPLES -DDIR
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
set(ENV{NPUSIM} ${NPUSIM})
set(ENV{SLURM_ARRAY_TASK_COUNT} 3)
set(ENV{SLURM_ARRAY_TASK_MIN} 0)
set(ENV{SLURM_CPUS_PER_TASK} 1)
foreach(id 0 1 2)
  set(ENV{SLURM_ARRAY_TASK_ID} ${id})
  execute_process(COMMAND bash ${EXAMPLES}/sweep-array.sbatch ${SPEC} ${DIR}/out WORKING_DIRECTORY ${DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "shard ${id}/3: 4 of the tasks")
    message(FATAL_ERROR "array task ${id}: exit ${rc}\n${out}\n${err}")
  endif()
endforeach()
execute_process(COMMAND bash ${EXAMPLES}/sweep-merge.sbatch ${DIR}/out WORKING_DIRECTORY ${DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "results.db: 12 rows \\(12 done, 0 failed\\)")
  message(FATAL_ERROR "merge: exit ${rc}\n${out}\n${err}")
endif()
if(NOT EXISTS ${DIR}/out/report/report.html)
  message(FATAL_ERROR "the merge job wrote no report")
endif()
# the merged database holds the whole sweep: running it again has nothing to do
execute_process(COMMAND ${NPUSIM} sweep ${SPEC} --db ${DIR}/out/results.db RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT out MATCHES "ran 0 tasks.*12 already in the database")
  message(FATAL_ERROR "the merged database is incomplete:\n${out}")
endif()
