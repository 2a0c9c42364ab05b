// The sweep results database (SQLite, WAL mode). One row per (config hash, workload, engine):
// the effective configuration, the axis values of the point, every metric as a column, the
// result JSON (per-layer statistics, for reports), status and error, wall time, host, worker
// and time of completion. Each row is written in its own transaction, so a process killed at
// any moment leaves every row either complete or absent (docs/SWEEPS.md has the schema).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace npusim::dse {

struct ResultRow {
  std::string config_hash;  // 16 hex digits: FNV-1a 64 of the effective YAML
  std::string workload;     // Workload::key()
  std::string engine;
  std::string sweep;        // the spec's name
  std::string model;
  std::int64_t batch = 1, seq = 0;
  std::string dtype;
  nlohmann::json point = nlohmann::json::object();  // {axis key: value}
  std::string config;       // effective configuration (YAML); empty for a point that did not validate
  std::string status;       // "done" or "failed"
  std::string error;
  std::map<std::string, double> metrics;  // metric_catalog() names; absent = NULL
  std::string result;       // to_json(RunResult) without the config and the stat catalog; may be empty
  double wall_s = 0;
  std::string host, worker, finished_at;

  std::string key() const { return config_hash + '\t' + workload + '\t' + engine; }
  std::optional<double> metric(const std::string& name) const;
};

struct SweepRecord {
  std::string spec_hash, name, source, spec_text, engine;
  std::vector<std::string> axes, objectives;
  std::int64_t points = 0, skipped = 0, tasks = 0;
  std::string started_at;
};

struct RowFilter {
  std::string workload;  // "" = all; a key, or a model name matching every batch/seq of it
  std::string status;    // "" = all
  std::string sweep;     // "" = all
  std::vector<std::string> hashes;  // config hashes (prefixes allowed); empty = all
  bool with_result = false;
  bool with_config = true;
};

struct MergeStats {
  std::int64_t read = 0, added = 0, replaced = 0, kept = 0;
};

class ResultsDb {
 public:
  // Opens (creating when `create`) and brings the schema up; throws Error naming the file.
  explicit ResultsDb(const std::string& path, bool create = true);
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;

  const std::string& path() const { return path_; }
  // key() of every row -> status.
  std::map<std::string, std::string> existing() const;
  // Writes a row in its own transaction. A row with the same key is replaced only when it
  // failed (a retry); a `done` row is never overwritten. Returns whether the row was written.
  bool put(const ResultRow& row);
  void record_sweep(const SweepRecord& s);
  std::vector<SweepRecord> sweeps() const;
  std::vector<ResultRow> rows(const RowFilter& f = {}) const;
  std::int64_t count(const std::string& status = "") const;
  // Copies every row of `other` into this database: new rows are added, failed rows here are
  // replaced by done rows there, done rows here are kept.
  MergeStats merge_from(const std::string& other);

 private:
  void exec(const std::string& sql) const;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Current UTC time as ISO 8601, and this machine's host name.
std::string utc_now();
std::string host_name();

}  // namespace npusim::dse
