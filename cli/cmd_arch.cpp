// npusim check-config / presets / schema.
#include <fmt/format.h>

#include <memory>

#include "arch/loader.h"
#include "base/files.h"
#include "arch/scalesim_cfg.h"
#include "arch/schema.h"
#include "compiler/results.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "configs/embedded.h"

namespace npusim::cli {

void register_arch_commands(CLI::App& app) {
  struct Opts {
    std::string file;
    std::vector<std::string> sets;
    bool print = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* check = app.add_subcommand("check-config", "Validate an architecture file and print every problem");
  check->add_option("file", o->file, "YAML file, SCALE-Sim .cfg file or preset name")->required();
  check->add_option("--set", o->sets, "Override a key, e.g. --set core.pe_array.rows=64 (repeatable)");
  check->add_flag("--print", o->print, "Print the effective configuration (every key, defaults filled)");
  check->callback([o] {
    std::vector<Override> ov;
    for (const auto& s : o->sets) ov.push_back(parse_override(s));
    std::string text, source = o->file;
    if (const EmbeddedText* p = find_arch_preset(o->file)) {
      text = p->text;
      source = p->file;
    } else {
      text = read_file(o->file);
      if (arch::is_scalesim_cfg(o->file)) {  // its npusim description; problems are SCALE-Sim key errors
        text = arch::scalesim_cfg_to_yaml(text, o->file);
        source = o->file + " (as npusim YAML)";
      }
    }
    auto diags = arch::check_arch(text, source, ov);
    if (!diags.empty()) {
      for (const auto& d : diags) fmt::print("{}\n", d.str());  // the list on stdout, the verdict on stderr
      throw Error(fmt::format("{}: {} problem{}", source, diags.size(), diags.size() == 1 ? "" : "s"));
    }
    auto cfg = arch::load_arch(text, source, ov);
    if (o->print) {
      fmt::print("{}", arch::to_yaml(*cfg));
      return;
    }
    fmt::print("{}: ok ({}: {} cores x {}x{} {}, {} MHz, area {:.2f} mm2)\n", source, cfg->name, cfg->cores,
               cfg->core.pe_array.rows, cfg->core.pe_array.cols, arch::name_of(cfg->core.pe_array.dataflow),
               cfg->clock_mhz, cfg->area_mm2());
  });

  CLI::App* presets = app.add_subcommand("presets", "List the architecture presets");
  presets->callback([] {
    for (const auto& p : arch_presets()) {
      auto cfg = arch::load_arch(p.text, p.file);
      fmt::print("{:<12} {}\n", p.name, cfg->description);
    }
  });

  auto md = std::make_shared<bool>(false);
  auto stats = std::make_shared<bool>(false);
  CLI::App* schema = app.add_subcommand("schema", "Document every architecture key (or, with --stats, every statistic)");
  schema->add_flag("--markdown", *md, "As the Markdown table of docs/CONFIG.md");
  schema->add_flag("--stats", *stats, "The statistics instead, as docs/STATS.md");
  schema->callback([md, stats] {
    if (*stats) {
      fmt::print("{}", compiler::stats_markdown());
      return;
    }
    if (*md) {
      fmt::print("{}", arch::schema_markdown());
      return;
    }
    for (const auto& f : arch::arch_schema().fields())
      fmt::print("{:<48} {:<8} {:<12} {:<22} {}\n", f.path, f.type_name(), f.unit, f.range_text(), f.doc);
  });
}

}  // namespace npusim::cli
