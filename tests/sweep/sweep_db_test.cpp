// The results database, the analysis (Pareto sets, sensitivity) and the HTML report.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "base/error.h"
#include "base/pareto.h"
#include "report/html.h"
#include "dse/analysis.h"
#include "dse/results_db.h"
#include "dse/spec.h"
#include "tests/sweep/sweep_test_util.h"

namespace npusim::dse {
namespace {

using ::testing::HasSubstr;
using test_util::filter;

struct TempDir : test_util::TempDir {
  TempDir() : test_util::TempDir("npusim_sweep") {}
};

ResultRow row(const std::string& hash, const std::string& workload, const std::string& status, double latency = 1,
              double area = 1) {
  ResultRow r;
  r.config_hash = hash;
  r.workload = workload;
  r.engine = "analytic";
  r.sweep = "t";
  r.model = workload.substr(0, workload.find('/'));
  r.point = {{"core.pe_array.rows", 16}};
  r.config = "name: x\n";
  r.status = status;
  if (status == "failed") r.error = "it failed";
  if (status == "done") {
    r.metrics["latency_s"] = latency;
    r.metrics["area_mm2"] = area;
    r.metrics["cycles"] = 1234567;
    r.result = R"({"layers": []})";
  }
  r.wall_s = 0.5;
  r.host = "h";
  r.worker = "pid 1";
  r.finished_at = "2026-11-21T00:00:00Z";
  return r;
}

TEST(ResultsDb, RowsRoundTripWithEveryColumn) {
  TempDir t;
  ResultsDb db(t.file("r.db"));
  ResultRow r = row("00000000000000aa", "mlp/b1", "done", 0.25, 3.5);
  r.seq = 128, r.batch = 4, r.dtype = "int8";
  EXPECT_TRUE(db.put(r));
  const auto rows = db.rows(filter("", "", {}, true));
  ASSERT_EQ(rows.size(), 1u);
  const ResultRow& x = rows[0];
  EXPECT_EQ(x.key(), r.key());
  EXPECT_EQ(x.batch, 4);
  EXPECT_EQ(x.seq, 128);
  EXPECT_EQ(x.dtype, "int8");
  EXPECT_EQ(x.point, r.point);
  EXPECT_EQ(x.config, r.config);
  EXPECT_EQ(x.status, "done");
  EXPECT_EQ(*x.metric("latency_s"), 0.25);
  EXPECT_EQ(*x.metric("area_mm2"), 3.5);
  EXPECT_EQ(*x.metric("cycles"), 1234567);
  EXPECT_FALSE(x.metric("energy_j").has_value());  // absent = NULL
  EXPECT_EQ(x.result, r.result);
  EXPECT_EQ(x.host, "h");
  EXPECT_EQ(db.rows(filter())[0].result, "");
}

// A database made before a metric was added to the stat table gets its column on opening.
TEST(ResultsDb, AMetricAddedSinceTheDatabaseWasMadeGetsItsColumn) {
  TempDir t;
  const std::string path = t.file("old.db");
  { ResultsDb db(path); EXPECT_TRUE(db.put(row("00000000000000aa", "mlp/b1", "done"))); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "ALTER TABLE results DROP COLUMN power_w", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  ResultsDb db(path, false);
  ResultRow r = row("00000000000000bb", "mlp/b1", "done");
  r.metrics["power_w"] = 2.5;
  EXPECT_TRUE(db.put(r));
  const auto rows = db.rows(filter());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].metric("power_w").has_value());  // older rows: NULL
  EXPECT_EQ(*rows[1].metric("power_w"), 2.5);
}

TEST(ResultsDb, DoneRowsAreNeverOverwrittenFailedRowsAreRetried) {
  TempDir t;
  ResultsDb db(t.file("r.db"));
  EXPECT_TRUE(db.put(row("a", "mlp/b1", "done", 1)));
  EXPECT_FALSE(db.put(row("a", "mlp/b1", "done", 2)));  // the same key: kept
  EXPECT_EQ(*db.rows()[0].metric("latency_s"), 1);
  EXPECT_TRUE(db.put(row("b", "mlp/b1", "failed")));
  EXPECT_TRUE(db.put(row("b", "mlp/b1", "failed")));  // a retry that failed again updates the row
  EXPECT_TRUE(db.put(row("b", "mlp/b1", "done", 3)));  // a retry that worked replaces it
  EXPECT_FALSE(db.put(row("b", "mlp/b1", "failed")));
  EXPECT_EQ(db.count(), 2);
  EXPECT_EQ(db.count("done"), 2);
  const auto ex = db.existing();
  EXPECT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex.at(row("b", "mlp/b1", "done").key()), "done");
}

TEST(ResultsDb, FiltersByWorkloadModelHashPrefixAndStatus) {
  TempDir t;
  ResultsDb db(t.file("r.db"));
  db.put(row("aaaa000000000000", "mlp/b1", "done"));
  db.put(row("aaaa000000000000", "mlp/b8", "done"));
  db.put(row("bbbb000000000000", "mlp/b1", "failed"));
  db.put(row("bbbb000000000000", "mlp-large/b1", "done"));
  EXPECT_EQ(db.rows(filter("mlp")).size(), 3u);  // the model: every batch, not mlp-large
  EXPECT_EQ(db.rows(filter("mlp/b1")).size(), 2u);
  EXPECT_EQ(db.rows(filter("", "failed")).size(), 1u);
  EXPECT_EQ(db.rows(filter("", "", {"aaaa"})).size(), 2u);
  EXPECT_EQ(db.rows(filter("", "", {"aaaa", "bbbb0"})).size(), 4u);
}

TEST(ResultsDb, MergeAddsNewRowsReplacesFailedOnesAndKeepsDone) {
  TempDir t;
  {
    ResultsDb a(t.file("a.db"));
    a.put(row("1", "mlp/b1", "done", 1));
    a.put(row("2", "mlp/b1", "failed"));
    a.record_sweep({"h1", "t", "t.yaml", "name: t", "analytic", {"cores"}, {"latency_s"}, 2, 0, 2, "now"});
    ResultsDb b(t.file("b.db"));
    b.put(row("1", "mlp/b1", "done", 9));  // kept from a
    b.put(row("2", "mlp/b1", "done", 2));  // replaces a's failure
    b.put(row("3", "mlp/b1", "done", 3));  // new
    b.record_sweep({"h1", "t", "t.yaml", "name: t", "analytic", {"cores"}, {"latency_s"}, 2, 0, 2, "now"});
  }
  ResultsDb out(t.file("a.db"));
  const MergeStats s = out.merge_from(t.file("b.db"));
  EXPECT_EQ(s.read, 3);
  EXPECT_EQ(s.added, 1);
  EXPECT_EQ(s.replaced, 1);
  EXPECT_EQ(s.kept, 1);
  EXPECT_EQ(out.count(), 3);
  EXPECT_EQ(out.count("done"), 3);
  for (const auto& r : out.rows()) EXPECT_EQ(*r.metric("latency_s"), std::stod(r.config_hash));
  EXPECT_EQ(out.sweeps().size(), 1u);
  // merging again changes nothing
  const MergeStats again = out.merge_from(t.file("b.db"));
  EXPECT_EQ(again.added + again.replaced, 0);
  EXPECT_EQ(out.count(), 3);
}

TEST(ResultsDb, RefusesFilesThatAreNotResultsDatabases) {
  TempDir t;
  {
    std::FILE* f = std::fopen(t.file("junk.db").c_str(), "w");
    std::fputs("this is not sqlite, just some text that is long enough to have a header..............", f);
    std::fclose(f);
  }
  EXPECT_THROW(ResultsDb(t.file("junk.db"), false), Error);
  EXPECT_THROW(ResultsDb(t.file("absent.db"), false), Error);
  ResultsDb ok(t.file("new.db"));
  EXPECT_THROW(ok.merge_from(t.file("junk.db")), Error);
}

// ---- analysis ----

std::vector<std::size_t> brute_front(const std::vector<std::vector<double>>& v, const std::vector<bool>& minimize) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < v.size() && !dominated; ++j) {
      bool all = true, one = false;
      for (std::size_t d = 0; d < minimize.size(); ++d) {
        const double a = minimize[d] ? v[j][d] : -v[j][d], b = minimize[d] ? v[i][d] : -v[i][d];
        all = all && a <= b;
        one = one || a < b;
      }
      dominated = all && one;
    }
    if (!dominated) out.push_back(i);
  }
  return out;
}

TEST(Pareto, MatchesABruteForceSearchInTwoAndThreeDimensions) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> val(0, 20);  // small range: many ties
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t dims = trial % 2 ? 2 : 3;
    std::vector<std::vector<double>> v(std::size_t(5 + trial % 40));
    for (auto& p : v)
      for (std::size_t d = 0; d < dims; ++d) p.push_back(val(rng));
    std::vector<bool> minimize;
    for (std::size_t d = 0; d < dims; ++d) minimize.push_back((trial >> d) % 2 == 0);
    EXPECT_EQ(pareto_front(v, minimize), brute_front(v, minimize)) << "trial " << trial;
  }
}

TEST(Pareto, KnownSetAndNonFiniteValues) {
  // (area, latency), both minimised
  const std::vector<std::vector<double>> v = {{1, 10}, {2, 5}, {3, 6}, {4, 1}, {2, 5}, {5, NAN}, {0.5, 20}};
  EXPECT_EQ(pareto_front(v, {true, true}), (std::vector<std::size_t>{0, 1, 3, 4, 6}));
  // throughput maximised: the largest throughput for the least area
  EXPECT_EQ(pareto_front({{1, 10}, {2, 5}, {3, 30}}, {true, false}), (std::vector<std::size_t>{0, 2}));
}

TEST(Sensitivity, BestMetricPerAxisValue) {
  std::vector<ResultRow> rows;
  auto add = [&](int rows_v, int kib, double lat) {
    ResultRow r = row(fmt::format("{}-{}", rows_v, kib), "mlp/b1", "done", lat);
    r.point = {{"core.pe_array.rows", rows_v}, {"core.scratchpad.size_kib", kib}};
    rows.push_back(r);
  };
  add(16, 64, 5), add(16, 128, 4), add(8, 64, 9), add(8, 128, 7), add(32, 64, 2);
  const auto groups = group_rows(rows);
  ASSERT_EQ(groups.size(), 1u);
  const auto s = sensitivity(groups, {"core.pe_array.rows", "core.scratchpad.size_kib"}, *compiler::find_metric("latency"));
  ASSERT_EQ(s.size(), 2u);
  ASSERT_EQ(s[0].points.size(), 3u);
  EXPECT_EQ(s[0].points[0].value, 8);  // sorted numerically
  EXPECT_EQ(s[0].points[0].best, 7);
  EXPECT_EQ(s[0].points[1].best, 4);
  EXPECT_EQ(s[0].points[2].best, 2);
  EXPECT_EQ(s[0].points[2].hash, "32-64");
  EXPECT_DOUBLE_EQ(s[0].spread(), 3.5);
  EXPECT_EQ(s[1].points[0].best, 2);  // 64 KiB: best over every rows value
  EXPECT_EQ(s[1].points[1].best, 4);
  EXPECT_EQ(axes_of(rows), (std::vector<std::string>{"core.pe_array.rows", "core.scratchpad.size_kib"}));
  EXPECT_EQ(axes_of(rows, {"core.scratchpad.size_kib"}).front(), "core.scratchpad.size_kib");
}

// ---- the report ----

TEST(Report, EveryChartKindWithMarksAndEscapedText) {
  report::ReportData d;
  d.title = "t <&> \"x\"";
  d.axes = {"core.pe_array.rows"};
  for (int i = 0; i < 6; ++i) {
    report::Point p;
    p.id = fmt::format("h{}", i);
    p.label = p.id;
    p.group = i < 3 ? "a<b>/b1" : "c/b1";
    p.metrics = {{"area_mm2", 1.0 + i}, {"latency_s", 10.0 / (1 + i)}};
    p.values = {{"core.pe_array.rows", 8 << i}};
    d.points.push_back(p);
  }
  report::Point det = d.points[0];
  det.clock_hz = 500e6, det.peak_ops_per_s = 256e9, det.dram_bytes_per_s = 8e9;
  auto layer = [](std::string name, workloads::OpKind op, std::int64_t cycles, std::int64_t compute,
                  std::array<std::int64_t, compiler::kNumStalls> stalls, std::int64_t macs, std::int64_t dram) {
    compiler::LayerResult l;
    l.name = std::move(name), l.op = op, l.cycles = cycles, l.compute_cycles = compute, l.stalls = stalls;
    l.macs = macs, l.dram_read_bytes = dram;
    return l;
  };
  det.layers = {layer("conv1", workloads::OpKind::Conv2d, 1000, 800, {100, 0, 50, 50, 0}, 1000000, 100000),
                layer("fc", workloads::OpKind::MatMul, 500, 100, {400, 0, 0, 0, 0}, 100000, 0),
                layer("relu", workloads::OpKind::Elementwise, 50, 0, {0, 0, 0, 50, 0}, 0, 0)};
  d.detailed = {det, det};
  d.detailed[1].id = "h1", d.detailed[1].label = "other";
  d.speedup = true;
  d.sensitivity_metric = "latency_s";
  d.sensitivity = {{"core.pe_array.rows", "a<b>/b1", {{"8", 10}, {"16", 5}}, true},
                   {"core.pe_array.rows", "c/b1", {{"64", 2.5}, {"128", 2}}, true}};
  d.failures = {{"dead", "a<b>/b1", "boom <script>"}};
  d.failures_total = 1;
  const std::string h = report::render_html(d);
  auto count = [&](const std::string& s) {
    std::size_t n = 0;
    for (auto at = h.find(s); at != std::string::npos; at = h.find(s, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<svg class='chart' data-kind='pareto'"), 2u);
  EXPECT_EQ(count("<svg class='chart' data-kind='layers'"), 2u);
  EXPECT_EQ(count("<svg class='chart' data-kind='roofline'"), 2u);
  EXPECT_EQ(count("<svg class='chart' data-kind='sensitivity'"), 1u);
  EXPECT_EQ(count("<svg class='chart' data-kind='speedup'"), 1u);
  EXPECT_EQ(count("class='mark front'"), 6u);  // every point is on its group's front here
  EXPECT_EQ(h.find("<script>alert"), std::string::npos);
  EXPECT_THAT(h, HasSubstr("boom &lt;script&gt;"));
  EXPECT_THAT(h, HasSubstr("t &lt;&amp;&gt; &quot;x&quot;"));
  EXPECT_THAT(h, HasSubstr("1 with no DRAM traffic not shown"));  // fc; relu has no MACs
  EXPECT_EQ(h.find("http://"), h.find("http://www.w3.org/2000/svg"));  // nothing fetched from a network
  EXPECT_EQ(h.find("src="), std::string::npos);
}

TEST(Report, EngineeringNotation) {
  EXPECT_EQ(report::si(0), "0");
  EXPECT_EQ(report::si(1234), "1.23k");
  EXPECT_EQ(report::si(0.00512), "5.12m");
  EXPECT_EQ(report::si(999.9), "1k");
  EXPECT_EQ(report::si(2.5e12), "2.5T");
  EXPECT_EQ(report::si(-3e-6), "-3\u00b5");
  EXPECT_EQ(report::si(NAN), "-");
}

}  // namespace
}  // namespace npusim::dse
