#include "dse/results_db.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
#include <set>

#include "base/error.h"
#include "compiler/stats.h"
#include "serving/output.h"
#include "npusim_version.h"

namespace npusim::dse {

namespace {

constexpr int kSchemaVersion = 2;  // 2: the serving metrics' columns

// The metric columns: a chip run's (compiler::metric_catalog()), then a serving run's
// (serving::serving_metrics()); a row fills those of its kind.
struct MetricColumn {
  std::string name;
  bool integer = false;
};
const std::vector<MetricColumn>& metric_columns() {
  static const std::vector<MetricColumn> cols = [] {
    std::vector<MetricColumn> c;
    for (const auto& m : compiler::metric_catalog()) c.push_back({m.name, m.integer});
    for (const auto& m : serving::serving_metrics()) c.push_back({m.name, false});
    return c;
  }();
  return cols;
}

// The fixed columns before and after the metric columns, in table order.
const char* const kHead[] = {"config_hash", "workload", "engine", "sweep", "model", "batch", "seq", "dtype",
                             "point",       "config",   "status", "error"};
const char* const kTail[] = {"result", "wall_s", "host", "worker", "finished_at"};

std::vector<std::string> all_columns() {
  std::vector<std::string> c(std::begin(kHead), std::end(kHead));
  for (const auto& m : metric_columns()) c.push_back(m.name);
  c.insert(c.end(), std::begin(kTail), std::end(kTail));
  return c;
}

std::string join(const std::vector<std::string>& v, const std::string& sep, const std::string& prefix = "") {
  std::string s;
  for (const auto& x : v) s += fmt::format("{}{}{}", s.empty() ? "" : sep, prefix, x);
  return s;
}

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK)
      throw Error(fmt::format("results database: {} (in: {})", sqlite3_errmsg(db), sql.substr(0, 80)));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  void bind(int i, const std::string& v) { check(sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT)); }
  void bind_or_null(int i, const std::string& v) {
    if (v.empty())
      check(sqlite3_bind_null(s_, i));
    else
      bind(i, v);
  }
  void bind(int i, std::int64_t v) { check(sqlite3_bind_int64(s_, i, v)); }
  void bind(int i, double v) { check(std::isfinite(v) ? sqlite3_bind_double(s_, i, v) : sqlite3_bind_null(s_, i)); }
  void null(int i) { check(sqlite3_bind_null(s_, i)); }
  // true while rows come
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(fmt::format("results database: {}", sqlite3_errmsg(db_)));
  }
  std::string text(int i) const {
    const unsigned char* t = sqlite3_column_text(s_, i);
    return t ? std::string(reinterpret_cast<const char*>(t), std::size_t(sqlite3_column_bytes(s_, i))) : std::string();
  }
  bool is_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  double real(int i) const { return sqlite3_column_double(s_, i); }
  std::int64_t integer(int i) const { return sqlite3_column_int64(s_, i); }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw Error(fmt::format("results database: {}", sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

}  // namespace

std::optional<double> ResultRow::metric(const std::string& name) const {
  auto it = metrics.find(name);
  if (it == metrics.end()) return std::nullopt;
  return it->second;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

void ResultsDb::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error(fmt::format("results database '{}': {}", path_, msg));
  }
}

ResultsDb::ResultsDb(const std::string& path, bool create) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(fmt::format("cannot open results database '{}': {}", path, msg));
  }
  try {
    sqlite3_busy_timeout(db_, 30000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    {
      Stmt s(db_, "SELECT value FROM meta WHERE key='schema_version'");
      if (s.step()) {
        if (s.text(0) != std::to_string(kSchemaVersion))
          throw Error(fmt::format("results database '{}' has schema version {}; this npusim writes version {}", path,
                                  s.text(0), kSchemaVersion));
      } else if (!create) {
        // a file that is not a results database (or an empty one)
        Stmt t(db_, "SELECT count(*) FROM sqlite_master WHERE name='results'");
        t.step();
        if (t.integer(0) == 0) throw Error(fmt::format("'{}' is not an npusim results database", path));
      }
    }
    std::string cols =
        "config_hash TEXT NOT NULL, workload TEXT NOT NULL, engine TEXT NOT NULL, sweep TEXT, model TEXT NOT NULL, "
        "batch INTEGER NOT NULL, seq INTEGER NOT NULL, dtype TEXT, point TEXT NOT NULL, config TEXT, "
        "status TEXT NOT NULL CHECK (status IN ('done', 'failed')), error TEXT";
    for (const auto& m : metric_columns()) cols += fmt::format(", {} {}", m.name, m.integer ? "INTEGER" : "REAL");
    cols += ", result TEXT, wall_s REAL NOT NULL, host TEXT NOT NULL, worker TEXT, finished_at TEXT NOT NULL, "
            "PRIMARY KEY (config_hash, workload, engine)";
    exec("BEGIN IMMEDIATE");
    exec(fmt::format("CREATE TABLE IF NOT EXISTS results ({})", cols));
    {  // a metric added to the stat table since the database was made: its column, NULL in older rows
      std::set<std::string> have;
      Stmt info(db_, "PRAGMA table_info(results)");
      while (info.step()) have.insert(info.text(1));
      for (const auto& m : compiler::metric_catalog())
        if (!have.count(m.name))
          exec(fmt::format("ALTER TABLE results ADD COLUMN {} {}", m.name, m.integer ? "INTEGER" : "REAL"));
    }
    exec("CREATE TABLE IF NOT EXISTS sweeps (spec_hash TEXT PRIMARY KEY, name TEXT NOT NULL, source TEXT, "
         "spec TEXT NOT NULL, engine TEXT NOT NULL, axes TEXT NOT NULL, objectives TEXT NOT NULL, "
         "points INTEGER, skipped INTEGER, tasks INTEGER, started_at TEXT)");
    exec(fmt::format("INSERT OR IGNORE INTO meta VALUES ('schema_version', '{}')", kSchemaVersion));
    exec(fmt::format("INSERT OR IGNORE INTO meta VALUES ('created_by', 'npusim {}')", kNpusimVersion));
    exec("COMMIT");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

ResultsDb::~ResultsDb() {
  if (db_) sqlite3_close(db_);
}

std::map<std::string, std::string> ResultsDb::existing() const {
  std::map<std::string, std::string> out;
  Stmt s(db_, "SELECT config_hash, workload, engine, status FROM results");
  while (s.step()) out[s.text(0) + '\t' + s.text(1) + '\t' + s.text(2)] = s.text(3);
  return out;
}

bool ResultsDb::put(const ResultRow& r) {
  const auto cols = all_columns();
  std::string qs;
  for (std::size_t i = 0; i < cols.size(); ++i) qs += i ? ", ?" : "?";
  std::vector<std::string> sets;
  for (const auto& c : cols) sets.push_back(fmt::format("{0} = excluded.{0}", c));
  Stmt s(db_, fmt::format("INSERT INTO results ({}) VALUES ({}) ON CONFLICT (config_hash, workload, engine) DO UPDATE "
                          "SET {} WHERE results.status <> 'done'",
                          join(cols, ", "), qs, join(sets, ", ")));
  int i = 1;
  s.bind(i++, r.config_hash);
  s.bind(i++, r.workload);
  s.bind(i++, r.engine);
  s.bind_or_null(i++, r.sweep);
  s.bind(i++, r.model);
  s.bind(i++, r.batch);
  s.bind(i++, r.seq);
  s.bind_or_null(i++, r.dtype);
  s.bind(i++, r.point.dump());
  s.bind_or_null(i++, r.config);
  s.bind(i++, r.status);
  s.bind_or_null(i++, r.error);
  for (const auto& m : metric_columns()) {
    auto it = r.metrics.find(m.name);
    if (it == r.metrics.end())
      s.null(i++);
    else if (m.integer)
      s.bind(i++, static_cast<std::int64_t>(std::llround(it->second)));
    else
      s.bind(i++, it->second);
  }
  s.bind_or_null(i++, r.result);
  s.bind(i++, r.wall_s);
  s.bind(i++, r.host);
  s.bind_or_null(i++, r.worker);
  s.bind(i++, r.finished_at);
  exec("BEGIN IMMEDIATE");
  try {
    s.step();
    const bool wrote = sqlite3_changes(db_) > 0;
    exec("COMMIT");
    return wrote;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void ResultsDb::record_sweep(const SweepRecord& r) {
  Stmt s(db_, "INSERT INTO sweeps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (spec_hash) DO UPDATE SET "
              "points = excluded.points, skipped = excluded.skipped, tasks = excluded.tasks");
  s.bind(1, r.spec_hash);
  s.bind(2, r.name);
  s.bind(3, r.source);
  s.bind(4, r.spec_text);
  s.bind(5, r.engine);
  s.bind(6, nlohmann::json(r.axes).dump());
  s.bind(7, nlohmann::json(r.objectives).dump());
  s.bind(8, r.points);
  s.bind(9, r.skipped);
  s.bind(10, r.tasks);
  s.bind(11, r.started_at);
  s.step();
}

std::vector<SweepRecord> ResultsDb::sweeps() const {
  std::vector<SweepRecord> out;
  Stmt s(db_, "SELECT spec_hash, name, source, spec, engine, axes, objectives, points, skipped, tasks, started_at "
              "FROM sweeps ORDER BY started_at, rowid");
  while (s.step()) {
    SweepRecord r;
    r.spec_hash = s.text(0), r.name = s.text(1), r.source = s.text(2), r.spec_text = s.text(3), r.engine = s.text(4);
    r.axes = nlohmann::json::parse(s.text(5)).get<std::vector<std::string>>();
    r.objectives = nlohmann::json::parse(s.text(6)).get<std::vector<std::string>>();
    r.points = s.integer(7), r.skipped = s.integer(8), r.tasks = s.integer(9), r.started_at = s.text(10);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<ResultRow> ResultsDb::rows(const RowFilter& f) const {
  const auto cols = all_columns();
  std::vector<std::string> sel;
  for (const auto& c : cols) {
    if (c == "result" && !f.with_result)
      sel.push_back("NULL");
    else if (c == "config" && !f.with_config)
      sel.push_back("NULL");
    else
      sel.push_back(c);
  }
  std::vector<std::string> where;
  std::vector<std::string> args;
  if (!f.workload.empty()) {
    where.push_back("(workload = ? OR substr(workload, 1, length(?) + 1) = ? || '/')");
    args.insert(args.end(), {f.workload, f.workload, f.workload});
  }
  if (!f.status.empty()) where.push_back("status = ?"), args.push_back(f.status);
  if (!f.sweep.empty()) where.push_back("sweep = ?"), args.push_back(f.sweep);
  if (!f.hashes.empty()) {
    std::vector<std::string> any;
    for (const auto& h : f.hashes) {
      any.push_back("substr(config_hash, 1, length(?)) = ?");
      args.push_back(h), args.push_back(h);
    }
    where.push_back("(" + join(any, " OR ") + ")");
  }
  std::string sql = fmt::format("SELECT {} FROM results", join(sel, ", "));
  if (!where.empty()) sql += " WHERE " + join(where, " AND ");
  sql += " ORDER BY rowid";
  Stmt s(db_, sql);
  for (std::size_t i = 0; i < args.size(); ++i) s.bind(int(i) + 1, args[i]);
  std::vector<ResultRow> out;
  while (s.step()) {
    ResultRow r;
    int i = 0;
    r.config_hash = s.text(i++), r.workload = s.text(i++), r.engine = s.text(i++), r.sweep = s.text(i++);
    r.model = s.text(i++), r.batch = s.integer(i++), r.seq = s.integer(i++), r.dtype = s.text(i++);
    r.point = nlohmann::json::parse(s.text(i++));
    r.config = s.text(i++), r.status = s.text(i++), r.error = s.text(i++);
    for (const auto& m : metric_columns()) {
      if (!s.is_null(i)) r.metrics[m.name] = s.real(i);
      ++i;
    }
    r.result = s.text(i++), r.wall_s = s.real(i++), r.host = s.text(i++), r.worker = s.text(i++);
    r.finished_at = s.text(i++);
    out.push_back(std::move(r));
  }
  return out;
}

std::int64_t ResultsDb::count(const std::string& status) const {
  Stmt s(db_, status.empty() ? "SELECT count(*) FROM results" : "SELECT count(*) FROM results WHERE status = ?");
  if (!status.empty()) s.bind(1, status);
  s.step();
  return s.integer(0);
}

MergeStats ResultsDb::merge_from(const std::string& other) {
  { ResultsDb check(other, false); }  // a results database of this schema, or an error naming it
  MergeStats st;
  Stmt attach(db_, "ATTACH DATABASE ? AS src");
  attach.bind(1, other);
  attach.step();
  try {
    const auto cols = all_columns();
    std::vector<std::string> sets;
    for (const auto& c : cols) sets.push_back(fmt::format("{0} = excluded.{0}", c));
    exec("BEGIN IMMEDIATE");
    {
      Stmt n(db_, "SELECT count(*) FROM src.results");
      n.step();
      st.read = n.integer(0);
      Stmt r(db_, "SELECT count(*) FROM src.results s JOIN main.results m USING (config_hash, workload, engine) "
                  "WHERE m.status <> 'done' AND s.status = 'done'");
      r.step();
      st.replaced = r.integer(0);
    }
    const std::int64_t before = count();
    exec(fmt::format("INSERT INTO main.results ({0}) SELECT {0} FROM src.results WHERE true ON CONFLICT "
                     "(config_hash, workload, engine) DO UPDATE SET {1} WHERE results.status <> 'done' AND "
                     "excluded.status = 'done'",
                     join(cols, ", "), join(sets, ", ")));
    exec("INSERT OR IGNORE INTO main.sweeps SELECT * FROM src.sweeps");
    st.added = count() - before;
    st.kept = st.read - st.added - st.replaced;
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_exec(db_, "DETACH DATABASE src", nullptr, nullptr, nullptr);
    throw;
  }
  exec("DETACH DATABASE src");
  return st;
}

}  // namespace npusim::dse
