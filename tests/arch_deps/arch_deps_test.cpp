// docs/ARCHITECTURE.md's dependency table is the rule: every CMake target of the project links only
// the folders its row allows, every target has a row and every row its target, and every source
// file includes only headers of the folders its row allows. The checks themselves are tested on
// small tables that break each rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/arch_deps/arch_deps.h"

using namespace npusim::tests::arch_deps;
using ::testing::HasSubstr;

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += "\n  " + p;
  return out;
}

const std::filesystem::path kRoot = NPUSIM_SOURCE_DIR;

Table project_table() { return parse_table(read(kRoot / "docs/ARCHITECTURE.md")); }

// A table in the document's form.
std::string table(const std::string& rows) {
  return "# doc\n\n<!-- dependency-table: begin -->\n| folder | target | owns | may depend on |\n|---|---|---|---|\n" +
         rows + "<!-- dependency-table: end -->\n";
}

const char* kRows =
    "| `base/` | npusim_base | words | - |\n"
    "| `sim/` | npusim_sim | the model | base, third_party |\n"
    "| `validate/rtl/` | npusim_rtl, npusim_rtl_models (with RTL) | the RTL | base, sim |\n"
    "| `serving/` | npusim_serving (planned) | later | base, sim |\n"
    "| `cli/` | npusim_cli, npusim | the program | everything above |\n";

TargetGraph graph(const std::string& extra = "") {
  return parse_graph(
      "condition RTL ON\n"
      "target npusim_warnings INTERFACE_LIBRARY .\n"
      "target npusim_base STATIC_LIBRARY base\n"
      "link npusim_base fmt::fmt\n"
      "target npusim_sim STATIC_LIBRARY sim\n"
      "link npusim_sim npusim_base\n"
      "link npusim_sim $<LINK_ONLY:npusim_warnings>\n"
      "target npusim_rtl STATIC_LIBRARY validate/rtl\n"
      "link npusim_rtl npusim_sim\n"
      "link npusim_rtl npusim_rtl_models\n"
      "target npusim_rtl_models STATIC_LIBRARY validate/rtl\n"
      "target npusim_cli STATIC_LIBRARY cli\n"
      "link npusim_cli npusim_rtl\n"
      "target npusim EXECUTABLE cli\n"
      "link npusim npusim_cli\n"
      "target test_sim EXECUTABLE tests/sim\n"
      "link test_sim npusim_rtl\n" +
      extra);
}

}  // namespace

// ---- the project ----

TEST(ArchDeps, EveryTargetLinksOnlyTheFoldersItsRowAllows) {
  const Table t = project_table();
  const TargetGraph g = parse_graph(read(NPUSIM_TARGET_GRAPH));
  ASSERT_GT(g.targets.size(), 10u) << "the build's target graph (" << NPUSIM_TARGET_GRAPH << ") is nearly empty";
  ASSERT_TRUE(g.targets.count("npusim_sim"));
  const auto problems = check_links(t, g);
  EXPECT_TRUE(problems.empty()) << "the build breaks docs/ARCHITECTURE.md's dependency table:" << joined(problems);
}

TEST(ArchDeps, EverySourceIncludesOnlyTheFoldersItsRowAllows) {
  const Table t = project_table();
  std::vector<Source> sources;
  for (const Row& r : t.rows) {
    const auto dir = kRoot / r.folder;
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || !(ext == ".h" || ext == ".cpp" || ext == ".cu" || ext == ".cuh" || ext == ".in"))
        continue;
      const std::string rel = std::filesystem::relative(e.path(), kRoot).generic_string();
      if (t.row_of_path(rel) == &r) sources.push_back({rel, read(e.path())});
    }
  }
  ASSERT_GT(sources.size(), 50u);
  const auto problems = check_includes(t, sources);
  EXPECT_TRUE(problems.empty()) << "sources include what docs/ARCHITECTURE.md's dependency table does not allow:"
                                 << joined(problems);
}

// ---- the checks, on tables made to break them ----

TEST(ArchDepsChecks, AConformingBuildHasNoProblems) {
  const Table t = parse_table(table(kRows));
  ASSERT_EQ(t.rows.size(), 5u);
  EXPECT_EQ(t.rows[4].may_use, (std::set<std::string>{"base", "sim", "validate/rtl", "serving"}));
  EXPECT_TRUE(t.rows[3].planned);
  EXPECT_EQ(t.rows[2].only_with.at("npusim_rtl_models"), "RTL");
  EXPECT_THAT(check_links(t, graph()), ::testing::IsEmpty());
}

TEST(ArchDepsChecks, ALinkTheRowDoesNotAllowIsNamed) {
  const auto problems = check_links(parse_table(table(kRows)), graph("link npusim_sim npusim_rtl\n"));
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_THAT(problems[0], HasSubstr("npusim_sim (sim/) links npusim_rtl (validate/rtl/), which its row does not allow: "
                                     "sim/ may depend on base, third_party"));
}

TEST(ArchDepsChecks, ATargetWithoutARowIsNamed) {
  const auto problems = check_links(parse_table(table(kRows)), graph("target npusim_extra STATIC_LIBRARY sim\n"));
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_THAT(problems[0], HasSubstr("target npusim_extra (defined in sim/) has no row"));
}

TEST(ArchDepsChecks, ARowWhoseTargetIsMissingOrElsewhereIsNamed) {
  auto g = graph();
  g.targets.erase("npusim_base");
  g.targets["npusim_sim"].folder = "simulation";
  const auto problems = check_links(parse_table(table(kRows)), g);
  ASSERT_EQ(problems.size(), 2u) << joined(problems);
  EXPECT_THAT(joined(problems), HasSubstr("the row of base/ names the target npusim_base, which the build does not define"));
  EXPECT_THAT(joined(problems), HasSubstr("npusim_sim is defined in simulation/, not in sim/ as its row says"));
}

TEST(ArchDepsChecks, AConditionalTargetMayBeAbsentOnlyWhenItsConditionIsOff) {
  auto g = graph();
  g.targets.erase("npusim_rtl_models");
  g.targets["npusim_rtl"].links.pop_back();
  EXPECT_THAT(joined(check_links(parse_table(table(kRows)), g)), HasSubstr("npusim_rtl_models is built with RTL, which is on"));
  g.conditions["RTL"] = false;
  EXPECT_THAT(check_links(parse_table(table(kRows)), g), ::testing::IsEmpty());
}

TEST(ArchDepsChecks, APlannedRowThatHasCodeMustLoseItsMark) {
  const auto problems = check_links(parse_table(table(kRows)), graph("target npusim_serving STATIC_LIBRARY serving\n"));
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_THAT(problems[0], HasSubstr("serving/ is marked (planned) but the build defines npusim_serving"));
}

TEST(ArchDepsChecks, AVendoredLibraryDependsOnNoFolder) {
  const auto problems = check_links(parse_table(table(kRows)), graph("target dramsys STATIC_LIBRARY third_party/dramsys\n"
                                                                     "link dramsys npusim_base\n"
                                                                     "link npusim_sim dramsys\n"));
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_THAT(problems[0], HasSubstr("dramsys (third_party/) links npusim_base (base/)"));
}

TEST(ArchDepsChecks, AnIncludeTheRowDoesNotAllowIsNamedWithItsLine) {
  const Table t = parse_table(table(kRows));
  const auto problems = check_includes(
      t, {{"sim/pe_array.h", "#pragma once\n#include <vector>\n#include \"base/error.h\"\n#include \"validate/rtl/x.h\"\n"},
          {"validate/rtl/x.cpp", "#include \"sim/pe_array.h\"\n#include \"rtl_models.h\"\n"},
          {"tests/sim/t.cpp", "#include \"validate/rtl/x.h\"\n"}});
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_THAT(problems[0], HasSubstr("sim/pe_array.h:4: includes validate/rtl/x.h (validate/rtl/), which its row does not "
                                     "allow: sim/ may depend on base, third_party"));
}

TEST(ArchDepsChecks, DependenciesPointUpTheTable) {
  try {
    parse_table(table("| `base/` | npusim_base | words | sim |\n| `sim/` | npusim_sim | model | base |\n"));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("line 6: base/ may depend on 'sim', which is no row above it"));
  }
}

TEST(ArchDepsChecks, AMalformedTableIsRefusedWithItsLine) {
  EXPECT_THROW(parse_table("no table here"), std::runtime_error);
  try {
    parse_table(table("| `base/` | npusim_base | - |\n"));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("line 6: 3 cells where the header has 4"));
  }
}
