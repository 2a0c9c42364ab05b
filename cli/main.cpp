// npusim: NPU hardware-software co-design simulator. Sub-commands are registered by the
// cmd_*.cpp files; user errors print one line and exit 1, command-line errors exit 2.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

#include "base/error.h"
#include "cli/commands.h"
#include "npusim_version.h"

int main(int argc, char** argv) {
  CLI::App app{"npusim: hardware-software co-design simulator for neural processing units"};
  app.set_version_flag("--version", std::string("npusim ") + npusim::kNpusimVersion);
  app.require_subcommand(1);
  npusim::cli::register_run_commands(app);
  npusim::cli::register_model_commands(app);
  npusim::cli::register_arch_commands(app);
  npusim::cli::register_bench_command(app);
  npusim::cli::register_validate_commands(app);
  npusim::cli::register_sweep_commands(app);
  npusim::cli::register_train_commands(app);
  npusim::cli::register_serve_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const npusim::ValidationError& e) {
    for (const auto& d : e.all()) fmt::print(stderr, "npusim: error: {}\n", d.str());
    return 1;
  } catch (const npusim::Error& e) {
    fmt::print(stderr, "npusim: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
