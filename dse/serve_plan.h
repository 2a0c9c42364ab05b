// Capacity planning on the sweep engine (npusim serve-plan, docs/SERVING.md): the smallest pool
// of chips (replicas x tensor-parallel x pipeline-parallel split) that serves a request stream
// within its SLO. Every candidate pool is a serving workload of one design point (the chip), so
// the candidates run in worker processes or over MPI ranks like any sweep, and land in the
// results database with the serving metrics as columns (serving::serving_metrics()).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dse/results_db.h"
#include "dse/run.h"
#include "serving/serve.h"

namespace npusim::dse {

struct ServePlanSpec {
  std::string arch;                 // preset or file
  std::vector<std::string> sets;    // --set overrides of it
  serving::ServeRequest base;       // the requests, the model and the pool's policies; tp, pp, replicas vary
  std::vector<std::int32_t> tps{1, 2, 4, 8}, pps{1};
  std::int32_t max_replicas = 8;
  double attainment = 0.9;          // a pool meets the SLO when this fraction of the requests does (DistServe)
};

// The plan: one point (the chip), one serving workload per (tp, pp, replicas) candidate whose
// split divides the model. Throws Error for an invalid chip, an empty candidate list, no SLO.
Plan make_serve_plan(const ServePlanSpec& s);

struct PoolCandidate {
  std::int32_t tp = 1, pp = 1, replicas = 1, chips = 1;
  bool ran = false, meets = false;
  std::string error;                       // a candidate that failed (e.g. the model does not fit)
  std::map<std::string, double> metrics;   // serving_metrics() names
};
struct ServePlanResult {
  std::vector<PoolCandidate> candidates;   // in plan order
  std::optional<std::size_t> chosen;       // the fewest chips meeting the SLO (then the most goodput)
};
// Reads the plan's rows back from the database and chooses.
ServePlanResult choose_pool(const Plan& plan, const ResultsDb& db, double attainment);

}  // namespace npusim::dse
